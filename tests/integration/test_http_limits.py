"""Kore's HTTP limits, set deliberately (kore.conf): bodies up to 64 KiB
are judged by Drop (its envelope), up to http_body_max (72 KiB) still
buffered, beyond it refused by Kore; a 12 kB header fits
http_header_max (16 KiB) and is answered in the envelope, a 5,000-character
path gets Kore's 414; a body or a header trickled in is cut at its
timeout."""

import socket
import threading
import time

from harness import Client, eq, is_error, raw_connection


def test_long_paths_are_answered():
    # Up to Kore's HTTP_URI_LEN (2,000) Drop answers in its envelope;
    # beyond it Kore answers 414 itself (it was a silent hang-up).
    is_error(Client().get("/api/" + "a" * 1900), 404, "not_found")
    c = Client()
    c.described = False
    r = c.get("/api/" + "a" * 5000)
    eq(r.status, 414)


def test_a_large_header_is_answered_in_the_envelope():
    r = Client().get("/api/users/me", headers={"X-Padding": "p" * 12000})
    is_error(r, 401, "unauthorized")


def test_a_body_past_http_body_max_is_refused_before_it_is_read():
    s = raw_connection()
    s.sendall(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: application/json\r\n"
              b"Content-Length: 1048576\r\n\r\n")
    head = s.recv(4096)
    s.close()
    assert head.startswith(b"HTTP/1.1 413"), head[:80]


def trickle(head, every_s, limit_s):
    """Seconds until the server hangs up on a request that sends head and
    then one byte every every_s, or None after limit_s."""
    s = raw_connection()
    s.sendall(head)
    t0 = time.time()
    try:
        while time.time() - t0 < limit_s:
            s.sendall(b"a")
            s.settimeout(every_s)
            try:
                if s.recv(4096) == b"":
                    return time.time() - t0
                return time.time() - t0   # an answer (408) ends it too
            except socket.timeout:
                continue
    except OSError:
        return time.time() - t0
    finally:
        s.close()
    return None


def test_a_trickled_header_or_body_is_cut_at_its_timeout():
    took = {}
    jobs = {
        # http_header_timeout 10 s: a header that never ends.
        "header": (b"GET /api/health HTTP/1.1\r\nX-Slow: ", 1.0, 30),
        # http_body_timeout 15 s from the request's start.
        "body": (b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/json\r\n"
                 b"Content-Length: 60000\r\n\r\n", 1.0, 40),
        # A DELETE's body, read by Drop (kore41.c), under the same limit.
        "delete": (b"DELETE /api/user/account HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Type: application/json\r\n"
                   b"Content-Length: 60000\r\n\r\n", 1.0, 40),
    }
    threads = [threading.Thread(target=lambda k=k, a=a: took.__setitem__(
        k, trickle(*a))) for k, a in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert took["header"] is not None and 9 <= took["header"] <= 13, took
    assert took["body"] is not None and 14 <= took["body"] <= 18, took
    assert took["delete"] is not None and 14 <= took["delete"] <= 18, took
    eq(Client().get("/api/health").status, 200)
