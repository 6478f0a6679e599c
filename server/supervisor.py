"""``tutti serve --workers N``: N server processes on one port, restarted when they die.

Each worker is a full ``python -m server.serving`` process (its own eventlet loop and
GIL) listening on the same address with ``SO_REUSEPORT``, so the kernel spreads new
connections over them; clients use the WebSocket transport, which needs no sticky
sessions. Workers share the database (seqs are allocated under the score row's lock) and
Flask-SocketIO's Redis message queue, so N > 1 needs ``TUTTI_MESSAGE_QUEUE``. A worker that
exits or is killed is started again (its clients reconnect to the others meanwhile and
catch up by seq). SIGTERM/SIGINT stop all workers. Stdlib only: the supervisor itself
imports neither eventlet nor Flask.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

#: A worker that dies sooner than this after its start counts as a crash loop: wait longer.
MIN_UPTIME_S = 5.0
MAX_BACKOFF_S = 10.0


class SupervisorError(RuntimeError):
    """The workers cannot be started as configured (said before any is started)."""


def check_settings(workers: int, env: dict[str, str]) -> None:
    if workers < 1:
        raise SupervisorError("--workers must be at least 1")
    if workers > 1 and not env.get("TUTTI_MESSAGE_QUEUE"):
        raise SupervisorError(
            "several workers need a shared message queue: set TUTTI_MESSAGE_QUEUE=redis://..."
        )
    if workers > 1 and not env.get("TUTTI_SECRET_KEY"):
        # Without it each worker would read (or race to create) the key file: still shared,
        # but say so, since a deployment across machines needs it set.
        print(
            "tutti serve: TUTTI_SECRET_KEY not set; workers share instance/secret_key",
            file=sys.stderr,
        )


def worker_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "server.serving", "--host", host, "--port", str(port),
            "--reuse-port"]  # fmt: skip


class Supervisor:
    """Starts ``workers`` processes and keeps that many running until told to stop."""

    def __init__(self, host: str, port: int, workers: int, env: dict[str, str]) -> None:
        self.command = worker_command(host, port)
        self.env = env
        self.workers: list[tuple[subprocess.Popen[bytes], float]] = []
        self.wanted = workers
        self.stopping = False
        self.failures = 0

    def start_one(self) -> None:
        self.workers.append((subprocess.Popen(self.command, env=self.env), time.monotonic()))

    def stop(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> int:
        for _ in range(self.wanted):
            self.start_one()
        pids = ", ".join(str(p.pid) for p, _ in self.workers)
        print(f"tutti serve: {self.wanted} workers: {pids}", file=sys.stderr, flush=True)
        while not self.stopping:
            time.sleep(0.2)
            for proc, started in list(self.workers):
                if proc.poll() is None:
                    continue
                self.workers.remove((proc, started))
                quick = time.monotonic() - started < MIN_UPTIME_S
                self.failures = self.failures + 1 if quick else 0
                print(f"tutti serve: worker {proc.pid} exited ({proc.returncode}); restarting",
                      file=sys.stderr, flush=True)  # fmt: skip
                if self.failures:
                    time.sleep(min(MAX_BACKOFF_S, 0.5 * 2 ** (self.failures - 1)))
                if not self.stopping:
                    self.start_one()
        for proc, _ in self.workers:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc, _ in self.workers:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        return 0


def supervise(host: str, port: int, workers: int, env: dict[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    check_settings(workers, env)
    supervisor = Supervisor(host, port, workers, env)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        supervisor.stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    return supervisor.run()
