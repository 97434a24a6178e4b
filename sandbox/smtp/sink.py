"""The SMTP sink of `make run` and the tests: a small SMTP server (RFC
5321: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on loopback that
accepts every message and keeps it, whole, as a file in SMTP_DIR
(<n>.eml, in arrival order, with the envelope in <n>.json), so people
and tests can read what Drop sent. Nothing is relayed anywhere.

    SMTP_PORT=2525 SMTP_DIR=var/mail python3 sandbox/smtp/sink.py

A file SMTP_DIR/fail holding a number N makes the next N messages fail
with 451 (a relay that is down for a while), or with "N address" the
next N to that address only: the tests' retry check. "N address lost"
keeps each of those messages and then closes the connection unanswered
(a relay whose acknowledgement was lost): the sender tries again."""

import json
import os
import socketserver
import sys
import threading

MAX_MESSAGE = 1 << 20
_lock = threading.Lock()


def _keep(folder, envelope, body):
    """The message as the next number: its envelope, then the message
    (a reader that sees the .eml sees the .json too)."""
    with _lock:
        n = 1 + max([int(f.split(".")[0]) for f in os.listdir(folder)
                     if f.endswith(".eml")] or [0])
        name = os.path.join(folder, "%06d" % n)
        with open(name + ".json", "w") as f:
            json.dump(envelope, f)
        with open(name + ".tmp", "wb") as f:
            f.write(body)
        os.rename(name + ".tmp", name + ".eml")
    return os.path.basename(name)


def _should_fail(folder, rcpts):
    """The fail file says "N" (the next N messages) or "N address" (the
    next N to that address), then perhaps "lost": None for a message to
    accept, else "refuse" or "lost", each such message once."""
    path = os.path.join(folder, "fail")
    with _lock:
        try:
            with open(path) as f:
                words = f.read().split()
            left = int(words[0]) if words else 0
        except (OSError, ValueError):
            return None
        only = words[1] if len(words) > 1 else None
        if left <= 0 or (only is not None and "<%s>" % only not in rcpts):
            return None
        with open(path, "w") as f:
            f.write(" ".join([str(left - 1)] + words[1:3]))
        return "lost" if words[2:3] == ["lost"] else "refuse"


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        folder = self.server.folder
        sender, rcpts = None, []
        self.reply("220 drop-smtp-sink ready")
        while True:
            raw = self.rfile.readline(1024)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                if verb == "EHLO":
                    self.reply("250-drop-smtp-sink")
                    self.reply("250-8BITMIME")
                    self.reply("250 SIZE %d" % MAX_MESSAGE)
                else:
                    self.reply("250 drop-smtp-sink")
            elif line.upper().startswith("MAIL FROM:"):
                sender, rcpts = line[10:].strip().split(" ")[0], []
                self.reply("250 OK")
            elif line.upper().startswith("RCPT TO:"):
                if sender is None:
                    self.reply("503 MAIL first")
                    continue
                rcpts.append(line[8:].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                if not rcpts:
                    self.reply("503 RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                body = self.read_data()
                if body is None:
                    return
                fail = _should_fail(folder, rcpts)
                if fail == "refuse":
                    self.reply("451 Try again later")
                elif fail == "lost":
                    _keep(folder, {"from": sender, "to": rcpts}, body)
                    return
                else:
                    name = _keep(folder, {"from": sender, "to": rcpts},
                                 body)
                    self.reply("250 OK queued as %s" % name)
                sender, rcpts = None, []
            elif verb == "RSET":
                sender, rcpts = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def read_data(self):
        """The message up to the lone dot, dots unstuffed; None on EOF."""
        out, size = [], 0
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return None
            if raw in (b".\r\n", b".\n"):
                return b"".join(out)
            if raw.startswith(b".."):
                raw = raw[1:]
            size += len(raw)
            if size <= MAX_MESSAGE:
                out.append(raw)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    port = int(os.environ.get("SMTP_PORT", "2525"))
    folder = os.environ.get("SMTP_DIR", "mail")
    os.makedirs(folder, exist_ok=True)
    srv = Server(("127.0.0.1", port), Session)
    srv.folder = folder
    print("smtp sink on 127.0.0.1:%d, messages in %s" % (port, folder),
          flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
