"""The task worker under supervision, and its heartbeat.

`recupera worker` is a small supervisor: it starts the real worker (django-tasks-db's loop, in
a child process `recupera worker --no-supervise`) and starts it again whenever it dies (a
crash, an out-of-memory kill, `kill -9`), waiting 1, 2, 4 … up to 60 seconds between attempts;
the wait goes back to 1 second once a child has lived for a minute. A child that ends normally
(exit status 0: `--batch`, `--max-tasks`, SIGTERM) ends the supervisor too; SIGTERM/SIGINT sent
to the supervisor are passed to the child, which finishes its current task and stops. On Linux
the child is asked to receive SIGTERM if the supervisor itself dies, so no orphan worker keeps
taking tasks.

The child writes a heartbeat (ops.WorkerHeartbeat, one row per supervisor) from a thread every
RECUPERA_WORKER_HEARTBEAT_SECONDS (default 15), also while a long task runs, with its pid, the
supervisor's restart count, how the previous child ended and since when the current task runs.
`/salud/` reports the age of the newest beat.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("recupera.worker")

ENV_NAME = "RECUPERA_WORKER_NAME"
ENV_RESTARTS = "RECUPERA_WORKER_RESTARTS"
ENV_LAST_EXIT = "RECUPERA_WORKER_LAST_EXIT"
ENV_STARTED = "RECUPERA_WORKER_STARTED"
BACKOFF_START = 1.0
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0  # seconds a child must live for the backoff to start again at 1 s
KEEP_HEARTBEATS_DAYS = 7


def heartbeat_seconds() -> float:
    return max(1.0, float(os.environ.get("RECUPERA_WORKER_HEARTBEAT_SECONDS", "15")))


def describe_exit(returncode: int) -> str:
    """How a child ended, in Spanish (operators read it in the log and in /salud/)."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return f"terminado por la señal {name}"
    return f"salió con el código {returncode}"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: deliver SIGTERM to this process when its parent (the supervisor) dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def supervise(cmd: list[str], *, env: dict[str, str] | None = None,
              log: Callable[[str], None] = print, backoff_start: float = BACKOFF_START,
              backoff_max: float = BACKOFF_MAX, healthy_after: float = HEALTHY_AFTER,
              max_restarts: int | None = None) -> int:
    """Run `cmd` and start it again each time it dies; returns the exit status to end with:
    0 when the child ended normally or the supervisor was asked to stop, 1 when
    `max_restarts` (tests) was exceeded."""
    state: dict[str, Any] = {"stopping": False, "child": None}

    def stop(signum: int, _frame: Any) -> None:
        state["stopping"] = True
        child = state["child"]
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    name = f"{socket.gethostname()}:{os.getpid()}"
    started = timezone.now().isoformat()
    restarts, delay, last_exit = 0, backoff_start, ""
    try:
        while True:
            child_env = {**(env if env is not None else os.environ), ENV_NAME: name,
                         ENV_RESTARTS: str(restarts), ENV_LAST_EXIT: last_exit,
                         ENV_STARTED: started}
            began = time.monotonic()
            state["child"] = subprocess.Popen(cmd, env=child_env, preexec_fn=_die_with_parent)
            returncode = state["child"].wait()
            if state["stopping"] or returncode == 0:
                return 0
            if time.monotonic() - began >= healthy_after:
                delay = backoff_start
            restarts += 1
            last_exit = describe_exit(returncode)
            if max_restarts is not None and restarts > max_restarts:
                log(f"El trabajador {last_exit}; se alcanzó el límite de {max_restarts} reinicios.")
                return 1
            log(f"El trabajador {last_exit}; se reinicia en {delay:g} s (reinicio {restarts}).")
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline:
                if state["stopping"]:
                    return 0
                time.sleep(min(0.2, delay))
            delay = min(delay * 2, backoff_max)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class Heartbeat:
    """Writes this worker process's row of ops.WorkerHeartbeat every `every` seconds from a
    daemon thread (its own database connection, closed when the thread ends)."""

    def __init__(self, *, every: float | None = None) -> None:
        self.every = every or heartbeat_seconds()
        self.name = os.environ.get(ENV_NAME) or f"{socket.gethostname()}:{os.getpid()}"
        self.restarts = int(os.environ.get(ENV_RESTARTS) or 0)
        self.last_exit = os.environ.get(ENV_LAST_EXIT, "")[:120]
        started = os.environ.get(ENV_STARTED)
        self.started_at = dt.datetime.fromisoformat(started) if started else timezone.now()
        self.task_started_at: dt.datetime | None = None
        self.tasks_run = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def beat(self) -> None:
        from recupera.ops.models import WorkerHeartbeat

        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(name=self.name, defaults={
            "pid": os.getpid(), "started_at": self.started_at, "beat_at": now,
            "restarts": self.restarts, "last_exit": self.last_exit,
            "task_started_at": self.task_started_at, "tasks_run": self.tasks_run})

    def _run(self) -> None:
        from recupera.ops.models import WorkerHeartbeat

        try:
            WorkerHeartbeat.objects.filter(
                beat_at__lt=timezone.now() - dt.timedelta(days=KEEP_HEARTBEATS_DAYS)).delete()
            while True:
                try:
                    close_old_connections()
                    self.beat()
                except Exception:  # a busy or unreachable database: try again at the next beat
                    logger.exception("No se pudo registrar el latido del trabajador")
                if self._stop.wait(self.every):
                    return
        finally:
            connection.close()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 5)


class HeartbeatWorker(Worker):
    """django-tasks-db's worker loop; tells the heartbeat when a task starts and ends."""

    def __init__(self, *, heartbeat: Heartbeat, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heartbeat = heartbeat

    def run_task(self, db_task_result: Any) -> None:
        self.heartbeat.task_started_at = timezone.now()
        try:
            super().run_task(db_task_result)
        finally:
            self.heartbeat.task_started_at = None
            self.heartbeat.tasks_run += 1


def child_command(options: dict[str, Any]) -> list[str]:
    """The command line of the supervised worker process, from the supervisor's options."""
    cmd = [sys.executable, "-m", "recupera", "worker", "--no-supervise", "--no-reload",
           "--queue-name", options["queue_name"], "--interval", str(options["interval"]),
           "--backend", options["backend_name"], "--verbosity", str(options["verbosity"])]
    if options.get("exclude_queues"):
        cmd += ["--exclude-queues", options["exclude_queues"]]
    if options.get("batch"):
        cmd.append("--batch")
    if options.get("max_tasks"):
        cmd += ["--max-tasks", str(options["max_tasks"])]
    if not options.get("startup_delay", True):
        cmd.append("--no-startup-delay")
    return cmd
