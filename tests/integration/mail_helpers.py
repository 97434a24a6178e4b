"""The messages the SMTP sink (sandbox/smtp/sink.py) kept for this test
stack: each decoded (subject, plain-text body, envelope)."""

import email
import email.policy
import json
import os
import time


def mail_dir():
    return os.environ["DROP_TEST_MAIL"]


def messages():
    out = []
    folder = mail_dir()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        with open(os.path.join(folder, name[:-4] + ".json")) as f:
            env = json.load(f)
        out.append({"to": msg["To"], "subject": str(msg["Subject"]),
                    "body": msg.get_content(), "envelope": env,
                    "headers": msg})
    return out


def mail_to(addr, subject=None, timeout=15, count=1):
    """The messages to addr (with subject, if given), once there are
    count of them; [] after timeout."""
    deadline = time.time() + timeout
    while True:
        got = [m for m in messages() if m["envelope"]["to"] == ["<%s>" % addr] and
               (subject is None or m["subject"] == subject)]
        if len(got) >= count or time.time() > deadline:
            return got
        time.sleep(0.2)


def fail_next(n, addr, lost=False):
    """The sink answers 451 to the next n messages to addr (a relay that
    is down for a while; other messages go on); lost: it keeps them and
    hangs up unanswered (its acknowledgement lost on the way)."""
    with open(os.path.join(mail_dir(), "fail"), "w") as f:
        f.write("%d %s%s" % (n, addr, " lost" if lost else ""))
