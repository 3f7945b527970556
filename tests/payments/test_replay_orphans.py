"""Issue 20 #10: the forked replay processes (credits.services.replay_pool, used by big
refreshes and the daily close, and BackgroundRefresh, used by big payments imports) end when
their parent is killed with kill -9, and PostgreSQL ends their connections."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the replay processes run on PostgreSQL (kill -9 of their parent)"),
]

PARENT = textwrap.dedent("""
    import datetime as dt, json, os, sys, time
    import django
    django.setup()
    from recupera.credits import engine_io
    from recupera.credits.services import BackgroundRefresh, replay_pool

    if sys.argv[1] == "background":
        bg = BackgroundRefresh(as_of=dt.date(2025, 3, 31), processes=2).__enter__()
        bg.submit([2**40, 2**40 + 1])  # no such credits: each child opens its connection
        pids = [p.pid for p, _pipe in bg._children]
    else:
        pool = replay_pool(2, engine_io.business_calendar())
        pids = [p.pid for p in pool._pool]
    print(json.dumps(pids), flush=True)
    time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _backends(app: str) -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app])
        return cur.fetchone()[0]


@pytest.mark.parametrize("kind", ["background", "pool"])
def test_replay_processes_exit_when_their_parent_is_killed(kind):
    settings_db = connection.settings_dict
    app = f"recupera-orphan-test-{kind}-{os.getpid()}"
    url = (f"postgres://{settings_db['USER']}@{settings_db['HOST'] or '127.0.0.1'}:"
           f"{settings_db['PORT'] or 5432}/{settings_db['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "PGAPPNAME": app,
           "DJANGO_SETTINGS_MODULE": "recupera.settings"}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, kind], env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        children = json.loads(parent.stdout.readline())
        assert len(children) == 2 and all(_alive(pid) for pid in children)
        if kind == "background":  # each child has opened its own connection
            deadline = time.monotonic() + 30
            while _backends(app) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _backends(app) == 2
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in children), "orphaned replay processes"
        deadline = time.monotonic() + 10
        while _backends(app) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _backends(app) == 0
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in locals().get("children", []):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
