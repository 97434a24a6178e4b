"""A worker says where it is (src/core/crashlog.c), on a Kore of its own:
SIGUSR2 to each of its threads writes that thread's backtrace to Kore's
log and the worker goes on serving; a fatal signal writes the backtrace
and the worker still dies of it (Kore restarts it). ASan builds keep
ASan's own report of the fatal one."""

import os
import re
import signal
import time

from harness import Client, eq
from stack import ask_worker_stacks, worker_pids
from test_limits import wait_public
from test_recovery import recovered
from test_rules import kore_with, needs_stack, wait_up


def log_text(path):
    with open(path, errors="replace") as f:
        return f.read()


def wait_for(path, pattern, limit=10):
    """The log's text once pattern is in it (or after limit seconds)."""
    deadline = time.time() + limit
    while True:
        text = log_text(path)
        if re.search(pattern, text) or time.time() > deadline:
            return text
        time.sleep(0.1)


def test_a_worker_writes_where_each_thread_is_and_serves_on(stack):
    needs_stack(stack)
    with kore_with(stack, lambda t: t) as (p, base, internal, log):
        eq(wait_up(p, internal), None)
        wait_public(base)
        pid = worker_pids(p.pid)[0]
        tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
        eq(ask_worker_stacks([pid]), [pid])
        text = wait_for(log, r"tid %d signal 12\n(.*\n)*?drop: end of stack"
                        % tids[-1])
        eq(Client(base).get("/api/health").status, 200)
        eq(p.poll(), None)
    stacks = re.findall(r"drop: stack on request: pid %d tid (\d+) "
                        r"signal 12\n((?:.*\n)*?)drop: end of stack" % pid,
                        text)
    eq(sorted(int(t) for t, _ in stacks), tids)
    # Each names frames; the event loop's thread runs Kore's worker loop.
    assert all(frames.count("\n") >= 3 for _, frames in stacks), stacks
    main = [frames for t, frames in stacks if int(t) == pid][0]
    assert "kore" in main, main


def test_a_fatal_signal_leaves_a_backtrace_and_ends_the_worker(stack):
    needs_stack(stack)
    asan = os.environ.get("DROP_TEST_FLAVOR") == "asan"
    with kore_with(stack, lambda t: t) as (p, base, internal, log):
        eq(wait_up(p, internal), None)
        wait_public(base)
        pid = worker_pids(p.pid)[0]
        os.kill(pid, signal.SIGSEGV)
        text = wait_for(log, r"\(%d\) exited with status" % pid)
        # Kore starts another and both serve again.
        eq(recovered(lambda: Client(base).get("/api/health").status == 200,
                     20) is not None, True)
    if asan:
        assert "AddressSanitizer: SEGV" in text, text[-2000:]
    else:
        m = re.search(r"drop: fatal signal: pid %d tid %d signal 11 "
                      r"address 0x[0-9a-f]+\n((?:.*\n)*?)drop: end of stack"
                      % (pid, pid), text)
        assert m and m.group(1).count("\n") >= 3, text[-2000:]
    # Killed by the signal (11, 139 with a core); ASan exits with 1 (256).
    status = "256" if asan else "(11|139)"
    assert re.search(r"\(%d\) exited with status %s\b" % (pid, status),
                     text), text[-2000:]
