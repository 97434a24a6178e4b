"""Runs last: takes PostgreSQL away and brings it back."""

import os
import subprocess
import time

from harness import Client, eq, test


# --- health when the database goes away (last: restarts PostgreSQL) -------

@test
def health_is_503_while_database_is_down_and_recovers():
    stop = os.environ.get("DROP_TEST_PG_STOP")
    start = os.environ.get("DROP_TEST_PG_START")
    if not stop or not start:
        return
    subprocess.run(stop, shell=True, check=True)
    try:
        for _ in range(3):
            t0 = time.time()
            r = Client().get("/api/health")
            eq(r.status, 503)
            eq(r.json["status"], "error")
            eq(r.json["db"], "disconnected")
            assert time.time() - t0 < 2.0, time.time() - t0
    finally:
        subprocess.run(start, shell=True, check=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        if Client().get("/api/health").status == 200:
            break
        time.sleep(0.2)
    for _ in range(4):
        eq(Client().get("/api/health").status, 200)
