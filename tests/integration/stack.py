"""A throwaway Drop stack for one test session: its own PostgreSQL cluster
in a temp dir (migrated and seeded by scripts/stackctl.sh, the code `make
run` uses), the sandbox bank, and one Kore of a build flavor on free
ports. Stopping it is part of the test: Kore must stop within 5 s of
SIGTERM, its log must show no sanitizer report, sandbox kill or crashed
worker, and the bank must have seen no request the Berlin Group
definition does not allow."""

import ctypes
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import json
import ssl
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STACKCTL = os.path.join(ROOT, "scripts", "stackctl.sh")
PGCTL = os.path.join(ROOT, "scripts", "pgctl.sh")
# Started by root, Kore drops its workers to an unprivileged user (the
# rendered kore.conf names it: scripts/lib.sh render_conf).
KORE_FLAGS = "-fnc" if os.getuid() == 0 else "-fnrc"
PRISM = os.path.join(ROOT, "tests", "tools", "node_modules", ".bin", "prism")
PSD2 = os.path.join(ROOT, "sandbox", "bank", "psd2-api-1.3.9.yaml")

LOG_PROBLEMS = re.compile(r"ERROR: AddressSanitizer|runtime error:|"
                          r"sandbox violation|seccomp violation|fatal")
STOP_LIMIT_S = 5
SYS_TGKILL = 234    # x86_64: a signal to one thread of another process
START_LIMIT_S = 30


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def tgkill(pid, tid, sig):
    """sig to thread tid of process pid: 0, or -1."""
    return ctypes.CDLL(None, use_errno=True).syscall(SYS_TGKILL, pid, tid,
                                                     sig)


def worker_pids(kore_pid):
    """Pids of the HTTP workers of the Kore whose parent is kore_pid (not
    its key manager)."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(kore_pid)],
                         capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines()
            if "[wrk" in line]


def ask_worker_stacks(pids):
    """SIGUSR2 to every thread of each Kore worker among pids (each
    writes its backtrace to Kore's log: src/core/crashlog.c); the workers
    asked, a second later."""
    asked = []
    for pid in pids:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if b"[wrk" not in f.read():
                    continue
            tids = [int(t) for t in os.listdir("/proc/%d/task" % pid)]
        except OSError:
            continue
        for tid in tids:
            tgkill(pid, tid, signal.SIGUSR2)
            time.sleep(0.05)
        asked.append(pid)
    time.sleep(1)
    return asked


class Stack:
    """start() brings it up and exports what the harness reads; stop()
    returns the problems found while taking it down ([] when clean)."""

    def __init__(self, flavor, plain_http=False, bank="sandbox"):
        self.flavor = flavor
        self.plain_http = plain_http
        self.bank_kind = bank
        self.tmp = tempfile.mkdtemp(prefix="drop-test.")
        os.chmod(self.tmp, 0o755)
        self.pgdir = os.path.join(self.tmp, "pg")
        self.pgport = str(free_ports(1)[0])
        self.kore = None
        self.bank = None
        self.log_path = os.path.join(self.tmp, "kore-%s.log" % flavor)
        self.env = dict(os.environ)

    def _run(self, *args):
        r = subprocess.run(["sh"] + list(args), env=self.env, cwd=ROOT,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s failed:\n%s%s" % (" ".join(args),
                               r.stdout, r.stderr))
        return r.stdout

    def start(self):
        https, internal, bank, smtp = free_ports(4)
        self.env.update({
            "DROP_PG_FSYNC": "off",
            "DROP_JWT_SECRET": secrets.token_urlsafe(48),
            "DROP_DATA_KEY": secrets.token_urlsafe(48),
            "DROP_TRUSTED_PROXIES": "" if self.plain_http else "127.0.0.1",
            "DROP_BCRYPT_COST": self.env.get("DROP_TEST_BCRYPT_COST", "12"),
            "DROP_PUBLIC_TLS": "no" if self.plain_http else "yes",
            "DROP_HTTPS_PORT": str(https),
            "DROP_INTERNAL_PORT": str(internal),
            "DROP_PG_HOST": os.path.join(self.pgdir, "run"),
            "DROP_PG_PORT": self.pgport,
            "DROP_PG_DB": "drop",
            "DROP_PG_USER": "drop",
            "DROP_BANK_CALLBACK_SECRET": secrets.token_hex(24),
            "DROP_BANK_URL": "https://127.0.0.1:%d" % bank,
            "DROP_BANK_CA_FILE": os.path.join(self.tmp, "tls", "cert.pem"),
            # Unanswered payments give up after 8 s here, not 15 min.
            "DROP_BANK_GIVEUP_S": self.env.get("DROP_TEST_GIVEUP_S", "8"),
            # Webhook receivers of the tests: on loopback, quick retries.
            "DROP_WEBHOOK_ALLOW_LOOPBACK": "yes",
            "DROP_WEBHOOK_BACKOFF_MS": "1000",
            "DROP_WEBHOOK_TIMEOUT_MS": "2000",
            # The SMTP sink (sandbox/smtp/): quick retries here.
            "DROP_SMTP_URL": "smtp://127.0.0.1:%d" % smtp,
            "DROP_SMTP_BACKOFF_MS": "500",
        })
        self.mail_dir = os.path.join(self.tmp, "mail")
        self.smtp = None
        self._run(STACKCTL, "prepare", self.tmp, self.pgport)
        self._operators()
        self.bank_log = os.path.join(self.tmp, "bank.log")
        if self.bank_kind == "prism":
            # The Berlin Group's definition served by a mock nobody here
            # wrote (tests/tools), on loopback in plain HTTP.
            self.env["DROP_BANK_URL"] = "http://127.0.0.1:%d" % bank
            self.env.pop("DROP_BANK_CA_FILE")
            self.bank_url = self.env["DROP_BANK_URL"]
            self.start_prism()
        else:
            self.bank_url = self.env["DROP_BANK_URL"]
            self.start_bank()
        self.start_smtp(smtp)
        self.start_servers(https, internal)
        self._export()

    def kore_env_for(self):
        env = dict(self.env)
        if self.flavor == "asan":
            for pair in self._run(STACKCTL, "asan-env").split():
                k, _, v = pair.partition("=")
                env[k] = v
        return env

    def start_servers(self, https, internal):
        """One Kore on the public (TLS) and internal ports."""
        conf = os.path.join(self.tmp, "kore-%s.conf" % self.flavor)
        self._run(STACKCTL, "conf", self.flavor, self.tmp, conf)
        scheme = "http" if self.plain_http else "https"
        self.base = "%s://127.0.0.1:%d" % (scheme, https)
        self.env["DROP_PUBLIC_URL"] = self.base
        self.kore_env = self.kore_env_for()
        self.internal = "http://127.0.0.1:%d" % internal
        # Its own session: a Kore that signals its process group must
        # not reach pytest.
        with open(self.log_path, "wb") as log:
            self.kore = subprocess.Popen(["kore", KORE_FLAGS, conf], cwd=ROOT,
                                         env=self.kore_env, stdout=log,
                                         stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self._wait_health()

    def _operators(self):
        """The first operator (an admin, made at install) and one of each
        other role, plus a second compliance officer (four eyes)."""
        with open(os.path.join(self.tmp, "secrets", "operator_admin")) as f:
            self.env["DROP_OPERATOR_ADMIN"] = f.read().strip()
        for name, role in (("support", "support"),
                           ("compliance", "compliance"),
                           ("compliance2", "compliance")):
            self.env["DROP_OPERATOR_" + name.upper()] = self._run(
                STACKCTL, "operator", self.tmp, self.pgport, name,
                role).strip()

    def start_bank(self):
        """The sandbox bank, in its own session (also after a kill)."""
        with open(self.bank_log, "ab") as log:
            self.bank = subprocess.Popen(
                ["sh", STACKCTL, "bank", self.tmp,
                 self.bank_url.rsplit(":", 1)[1]], cwd=ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        ctx = ssl._create_unverified_context()
        deadline = time.time() + START_LIMIT_S
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.bank_url + "/sandbox/health",
                                       context=ctx, timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the sandbox bank did not start:\n" +
                           open(self.bank_log).read()[-3000:])

    def start_smtp(self, port):
        """The SMTP sink, in its own session; messages in tmp/mail."""
        os.makedirs(self.mail_dir, exist_ok=True)
        with open(os.path.join(self.mail_dir, "sink.log"), "ab") as log:
            self.smtp = subprocess.Popen(
                ["sh", STACKCTL, "smtp", self.tmp, str(port)], cwd=ROOT,
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.time() + START_LIMIT_S
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start")

    def start_prism(self):
        port = self.bank_url.rsplit(":", 1)[1]
        with open(self.bank_log, "ab") as log:
            self.bank = subprocess.Popen(
                [PRISM, "mock", "-h", "127.0.0.1", "-p", port, PSD2],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.time() + START_LIMIT_S * 2
        while time.time() < deadline:
            if self.bank.poll() is not None:
                break
            with open(self.bank_log, errors="replace") as f:
                if "Prism is listening" in f.read():
                    return
            time.sleep(0.2)
        raise RuntimeError("prism did not start:\n" +
                           open(self.bank_log).read()[-3000:])

    def prism_problems(self):
        """Requests the Berlin Group definition does not allow (Prism's
        validator); its complaints about its own examples are not ours."""
        with open(self.bank_log, errors="replace") as f:
            return ["prism: " + line.strip() for line in f
                    if "Violation: request" in line]

    def stop_bank(self):
        if self.bank is not None and self.bank.poll() is None:
            os.killpg(self.bank.pid, signal.SIGTERM)
            try:
                self.bank.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.bank.pid, signal.SIGKILL)
                self.bank.wait()
        self.bank = None

    def bank_problems(self):
        """Requests the definition does not allow, and the bank's errors."""
        if self.bank_kind == "prism":
            return self.prism_problems()
        problems = []
        try:
            ctx = ssl._create_unverified_context()
            with urllib.request.urlopen(self.bank_url + "/sandbox/violations",
                                        context=ctx, timeout=5) as r:
                for v in json.load(r):
                    problems.append("sandbox bank: %s violates the Berlin "
                                    "Group definition: %s" % (v["request"],
                                                              v["problems"]))
        except OSError as e:
            problems.append("sandbox bank: no answer at the end (%s)" % e)
        with open(self.bank_log, errors="replace") as f:
            problems += ["sandbox bank log: " + line.strip() for line in f
                         if "bank: error" in line or "Traceback" in line]
        return problems

    def _wait_health(self):
        """Until health is 200 on every worker: a 503 means a worker's
        pool has not connected yet."""
        ctx = ssl._create_unverified_context()
        deadline = time.time() + START_LIMIT_S
        good = 0
        while time.time() < deadline and good < 6:
            if self.kore.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.base + "/api/health",
                                       context=ctx, timeout=2)
                good += 1
            except OSError:
                good = 0
                time.sleep(0.1)
        if good >= 6:
            return
        raise RuntimeError("kore (%s) did not start:\n%s" % (
            self.flavor, self.log_tail()))

    def _export(self):
        """What the harness and the tests read, as environment."""
        os.environ.update({
            "DROP_TEST_BASE": self.base,
            "DROP_TEST_INTERNAL": self.internal,
            "DROP_TEST_CERT": os.path.join(self.tmp, "tls", "cert.pem"),
            "DROP_TEST_OPENAPI": "1",
            "DROP_TEST_PGHOST": os.path.join(self.pgdir, "run"),
            "DROP_TEST_PGPORT": self.pgport,
            "DROP_TEST_PGDIR": self.pgdir,
            "DROP_TEST_KORE_LOG": self.log_path,
            "DROP_TEST_FLAVOR": self.flavor,
            "DROP_TEST_MAIL": self.mail_dir,
            "DROP_TEST_UNTRUSTED": "1" if self.plain_http else "0",
            "DROP_TEST_PG_STOP": "sh %s stop %s %s" % (PGCTL, self.pgdir,
                                                       self.pgport),
            "DROP_TEST_PG_START": "sh %s start %s %s" % (PGCTL, self.pgdir,
                                                         self.pgport),
        })
        os.environ["DROP_TEST_BANK"] = self.bank_url
        os.environ["DROP_TEST_BANK_LOG"] = self.bank_log
        for k in ("DROP_OPERATOR_ADMIN", "DROP_OPERATOR_SUPPORT",
                  "DROP_OPERATOR_COMPLIANCE", "DROP_OPERATOR_COMPLIANCE2",
                  "DROP_JWT_SECRET", "DROP_DATA_KEY", "DROP_BCRYPT_COST",
                  "DROP_TRUSTED_PROXIES", "DROP_BANK_CALLBACK_SECRET",
                  "DROP_BANK_GIVEUP_S"):
            os.environ[k] = self.env[k]

    def log_tail(self, n=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def hung_stacks(self):
        """Where each process of a Kore that will not stop is: each
        worker thread's backtrace in Kore's log (SIGUSR2 to each thread:
        src/core/crashlog.c, no ptrace needed), every thread's backtrace
        (gdb, when installed and allowed to attach) in hang-<pid>.txt
        under the kept logs, and the first frames of each as problems."""
        problems = []
        pids = []
        for d in os.listdir("/proc"):
            try:
                if d.isdigit() and os.getpgid(int(d)) == self.kore.pid:
                    pids.append(int(d))
            except OSError:
                continue
        problems += self.worker_stacks(pids)
        if shutil.which("gdb") is None:
            return problems + ["kore hung: install gdb to see where"]
        for pid in pids:
            out = subprocess.run(
                ["gdb", "-p", str(pid), "-batch", "-ex",
                 "thread apply all bt 25"], capture_output=True, text=True,
                timeout=60).stdout
            path = os.path.join(self.tmp, "hang-%d.txt" % pid)
            with open(path, "w") as f:
                f.write(out)
            frames = [line for line in out.splitlines()
                      if line.startswith("#")][:6]
            problems.append("kore hung: pid %d (%s): %s" % (
                pid, path, " | ".join(frames)))
        return problems

    def worker_stacks(self, pids):
        """SIGUSR2 to every thread of each worker among pids; the first
        frames each wrote to Kore's log, as problems."""
        asked = ask_worker_stacks(pids)
        with open(self.log_path, errors="replace") as f:
            text = f.read()
        problems = []
        for pid in asked:
            for tid, frames in re.findall(
                    r"drop: stack on request: pid %d tid (\d+) signal 12\n"
                    r"((?:.*\n)*?)drop: end of stack" % pid, text):
                problems.append("kore hung: worker %d thread %s: %s" % (
                    pid, tid, " | ".join(frames.splitlines()[2:8])))
        return problems

    def stop_kore(self):
        """[] or the problems of stopping Kore (it must take <= 5 s)."""
        if self.kore is None or self.kore.poll() is not None:
            return []
        problems = []
        t0 = time.time()
        self.kore.send_signal(signal.SIGTERM)
        try:
            self.kore.wait(timeout=2 * STOP_LIMIT_S)
        except subprocess.TimeoutExpired:
            problems += self.hung_stacks()
            os.killpg(self.kore.pid, signal.SIGKILL)
            self.kore.wait()
            problems.append("kore did not stop in %d s; killed" %
                            (2 * STOP_LIMIT_S))
        took = time.time() - t0
        if took > STOP_LIMIT_S:
            problems.append("kore took %.1f s to stop (limit %d s)" %
                            (took, STOP_LIMIT_S))
        return problems

    def log_problems(self, workers_gone=0):
        """Sanitizer reports, sandbox kills, fatal errors, gone workers.
        Kore's stdout is a buffered file, so lines can repeat: count once."""
        with open(self.log_path, errors="replace") as f:
            lines = f.read().splitlines()
        problems = ["kore log: " + line for line in
                    sorted(set(l for l in lines if LOG_PROBLEMS.search(l)))]
        problems += self.personal_data(lines)
        gone = sorted(set(l for l in lines if l.endswith(") gone")))
        if len(gone) != workers_gone:
            problems.append("kore log: %d workers gone, expected %d: %s" % (
                len(gone), workers_gone, "; ".join(gone + sorted(set(
                    l for l in lines if "exited with status" in l)))))
        return problems

    @staticmethod
    def personal_data(lines):
        """Log lines that carry an e-mail, password, token or account
        number the tests used (harness.WATCHED): a PostgreSQL DETAIL, a
        bank's free text or a careless log line would."""
        from harness import WATCHED
        text = "\n".join(lines).lower()
        found = [v for v in WATCHED if v in text]
        if not found:
            return []
        bad = sorted(set(l for l in lines if any(v in l.lower()
                                                  for v in found)))
        return ["kore log: personal data or a secret (%d values): %s" % (
            len(found), l) for l in bad[:10]]

    def stop(self):
        problems = self.stop_kore()
        if os.path.exists(self.log_path):
            problems += self.log_problems()
        if self.bank is not None:
            problems += self.bank_problems()
        self.stop_bank()
        if self.smtp is not None and self.smtp.poll() is None:
            os.killpg(self.smtp.pid, signal.SIGTERM)
            self.smtp.wait()
        subprocess.run(["sh", PGCTL, "stop", self.pgdir, self.pgport],
                       env=self.env, capture_output=True)
        if problems or os.environ.get("DROP_TEST_KEEP"):
            problems.append("logs kept in " + self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return problems


class ClusterStack(Stack):
    """--cluster: the topology of `make cluster` (scripts/cluster.sh).
    HAProxy ends TLS on the public port and balances the internal one over
    two Kore instances (plain HTTP, the balancer a trusted proxy); the
    instances know a primary and a hot standby by libpq's host list. The
    tests reach Drop only through HAProxy; the fault test kills an
    instance and fails the database over (test_cluster.py)."""

    INSTANCES = 2

    def __init__(self, flavor):
        super().__init__(flavor)
        self.pgdir2 = os.path.join(self.tmp, "pg2")
        self.pgport2 = str(free_ports(1)[0])
        self.instances = []     # (Popen, log path, public port, internal)
        self.haproxies = []

    def start_servers(self, https, internal):
        self._run(STACKCTL, "standby", self.pgdir, self.pgport, self.pgdir2,
                  self.pgport2)
        self.base = "https://127.0.0.1:%d" % https
        self.internal = "http://127.0.0.1:%d" % internal
        self.env["DROP_PUBLIC_URL"] = self.base
        self.env["DROP_PG_HOST"] = "%s/run,%s/run" % (self.pgdir,
                                                      self.pgdir2)
        self.env["DROP_PG_PORT"] = "%s,%s" % (self.pgport, self.pgport2)
        self.kore_env = self.kore_env_for()
        pairs = []
        for n in range(1, self.INSTANCES + 1):
            pub, intl = free_ports(2)
            pairs.append("%d:%d" % (pub, intl))
            self.instances.append(self.start_instance(n, pub, intl))
        self.kore, self.log_path = self.instances[0][:2]
        # The pair of balancers: lb1 the tests' base, lb2 its peer.
        https2, internal2, peer1, peer2 = free_ports(4)
        self.base2 = "https://127.0.0.1:%d" % https2
        peers = "lb1:%d lb2:%d" % (peer1, peer2)
        for name, pub, intl in (("lb1", https, internal),
                                ("lb2", https2, internal2)):
            cfg = os.path.join(self.tmp, "haproxy-%s.cfg" % name)
            self._run(STACKCTL, "haproxy-conf", self.tmp, str(pub),
                      str(intl), " ".join(pairs), cfg, name, peers)
            with open(os.path.join(self.tmp, "haproxy-%s.log" % name),
                      "ab") as log:
                self.haproxies.append(subprocess.Popen(
                    ["haproxy", "-db", "-f", cfg], cwd=ROOT, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True))
        self._wait_health()

    def start_instance(self, n, pub, intl):
        """Instance n: its own kore.conf (ports, pidfile) and log."""
        conf = os.path.join(self.tmp, "kore-%d.conf" % n)
        self._run(STACKCTL, "instance-conf", self.flavor, self.tmp, conf,
                  str(pub), str(intl))
        log_path = os.path.join(self.tmp, "kore-%d.log" % n)
        with open(log_path, "wb") as log:
            p = subprocess.Popen(["kore", KORE_FLAGS, conf], cwd=ROOT,
                                 env=self.kore_env, stdout=log,
                                 stderr=subprocess.STDOUT,
                                 start_new_session=True)
        return (p, log_path, pub, intl)

    def _wait_health(self):
        """Every instance answers health 200 directly, then HAProxy has
        them all up (its checks run each second)."""
        deadline = time.time() + START_LIMIT_S
        for p, log_path, pub, _ in self.instances:
            good = 0
            while time.time() < deadline and good < 6:
                if p.poll() is not None:
                    break
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/api/health" %
                                           pub, timeout=2)
                    good += 1
                except OSError:
                    good = 0
                    time.sleep(0.1)
            if good < 6:
                with open(log_path, errors="replace") as f:
                    raise RuntimeError("instance did not start:\n" +
                                       f.read()[-3000:])
        while time.time() < deadline:
            if self.servers_up() >= len(self.instances):
                return
            time.sleep(0.2)
        raise RuntimeError("HAProxy does not see the instances up")

    def haproxy_cmd(self, cmd):
        """One command on HAProxy's admin socket; its answer."""
        s = socket.socket(socket.AF_UNIX)
        s.connect(os.path.join(self.tmp, "haproxy-lb1.sock"))
        s.sendall(cmd.encode() + b"\n")
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        s.close()
        return out.decode()

    def checked_servers(self):
        """HAProxy's statistics of each checked instance of the public
        backend (not the unchecked backups), by name: its columns by the
        names of "show stat"'s header line."""
        lines = self.haproxy_cmd("show stat").splitlines()
        head = lines[0].lstrip("# ").split(",")
        rows = {}
        for line in lines[1:]:
            row = dict(zip(head, line.split(",")))
            name = row.get("svname", "")
            if row.get("pxname") == "drop_public" and \
                    name.startswith("drop") and not name.endswith("_any"):
                rows[name] = row
        return rows

    def servers_up(self):
        """How many checked instances HAProxy sends requests to."""
        return sum(1 for row in self.checked_servers().values()
                   if row.get("status") == "UP")

    def _export(self):
        super()._export()
        os.environ.update({
            "DROP_TEST_CLUSTER": "1",
            "DROP_TEST_PGHOST": "%s/run,%s/run" % (self.pgdir, self.pgdir2),
            "DROP_TEST_PGPORT": "%s,%s" % (self.pgport, self.pgport2),
            # psql and pgbench: whichever of the two takes writes.
            "PGTARGETSESSIONATTRS": "read-write",
            "DROP_TEST_PGDIR2": self.pgdir2,
            "DROP_TEST_PGPORT2": self.pgport2,
            "DROP_TEST_KORE_LOGS": " ".join(i[1] for i in self.instances),
            "DROP_TEST_BASE2": self.base2,
        })

    def stop(self):
        problems = []
        for p, log_path, _, _ in self.instances:
            self.kore, self.log_path = p, log_path
            problems += self.stop_kore()
            if p.returncode is not None and p.returncode < 0 and \
                    os.path.exists(log_path + ".killed"):
                continue    # killed on purpose (test_cluster.py)
            problems += self.log_problems()
        self.kore, self.log_path = None, os.path.join(self.tmp, "none")
        for lb in self.haproxies:
            if lb.poll() is None:
                lb.terminate()
                lb.wait()
        subprocess.run(["sh", PGCTL, "stop", self.pgdir2, self.pgport2],
                       env=self.env, capture_output=True)
        return problems + super().stop()


if __name__ == "__main__":
    # stack.py stacks PID...: the shell harnesses' way to ask (stack.sh).
    import sys
    if len(sys.argv) > 2 and sys.argv[1] == "stacks":
        ask_worker_stacks([int(a) for a in sys.argv[2:]])
