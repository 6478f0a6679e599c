"""``tutti serve --workers 2`` for real: two worker processes on one port, PostgreSQL and a
Redis message queue. Clients spread over the workers converge; ``kill -9`` of one worker
and a restart of Redis in the middle of the load lose no acknowledged edit, and the
supervisor brings the killed worker back.

Redis here is a private ``redis-server`` on a free port (restarting the machine's own would
disturb anything else using it); PostgreSQL is a scratch database, dropped afterwards.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.client import TuttiClient
from server.editing import EditLog, replay
from server.persistence import Database, init_db
from server.persistence.scratch import scratch_database
from server.score import ScoreError
from tests.support.records import records

from ..support.random_ops import IdSource, valid_edit
from .conftest import REPO, TUTTI, free_port

pytestmark = pytest.mark.postgres

PG_ADMIN = "postgresql+psycopg2://root@127.0.0.1:5432/test"


class Redis:
    """A private redis-server that can be stopped and started again on the same port."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_listening(self.port, 10)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _wait_listening(port: int, timeout: float) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class Workers:
    """``tutti serve --workers N`` as a user starts it."""

    def __init__(self, database_url: str, queue: str, workdir: Path, workers: int) -> None:
        self.port = free_port()
        self.log_path = workdir / f"workers-{self.port}.log"
        env = {
            **os.environ,
            "TUTTI_DATABASE_URL": database_url,
            "TUTTI_MESSAGE_QUEUE": queue,
            "TUTTI_SECRET_KEY": secrets.token_hex(16),
            "TUTTI_INSTANCE_DIR": str(workdir),
        }
        command = [str(TUTTI), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(workers)]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        _wait_listening(self.port, 60)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self, tries: int = 40) -> set[int]:
        """Worker pids seen over fresh connections (the kernel spreads them over workers)."""
        seen: set[int] = set()
        for _ in range(tries):
            try:
                text = requests.get(
                    f"{self.url}/metrics", headers={"Connection": "close"}, timeout=5
                ).text
            except requests.RequestException:
                continue
            seen.update(int(p) for p in re.findall(r'tutti_worker_info\{worker="(\d+)"\}', text))
        return seen

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def pg_url() -> Iterator[str]:
    with scratch_database(PG_ADMIN, "tutti_workers") as url:
        init_db(url)
        yield url


def test_two_workers_converge_and_survive_kill_9_and_a_redis_restart(
    pg_url: str, tmp_path: Path
) -> None:
    redis = Redis(tmp_path).start()
    workers = Workers(pg_url, redis.url, tmp_path, 2)
    service = EditLog(Database(pg_url))
    clients: list[TuttiClient] = []
    try:
        pids = workers.worker_pids()
        assert len(pids) == 2, f"expected two workers answering, saw {pids}\n{workers.log()}"
        names = ["ana", "ben", "cy", "dee", "eve", "fay"]
        users = []
        for name in names:
            response = requests.post(
                f"{workers.url}/api/signup", json={"name": name, "password": "secret-pw"},
                timeout=10,
            )  # fmt: skip
            assert response.status_code == 201, response.text
            users.append(response.json()["user"])
        score = service.create_score(users[0]["id"], "Workers")
        for user in users[1:]:
            records(service).members.set_member(score, user["id"], "editor")
        for name in names:
            token = requests.post(
                f"{workers.url}/api/token", json={"name": name, "password": "secret-pw"},
                timeout=10,
            ).json()["token"]  # fmt: skip
            client = TuttiClient(workers.url, token).connect()
            client.join(score)
            clients.append(client)

        stop = threading.Event()
        errors: list[BaseException] = []

        def work(i: int, client: TuttiClient) -> None:
            rng, ids = random.Random(i), IdSource(f"w{i}")
            try:
                while not stop.is_set():
                    try:
                        client.submit(valid_edit(client.document, rng, ids))
                    except ScoreError:
                        pass
                    time.sleep(rng.uniform(0.01, 0.06))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        victim = sorted(pids)[0]
        os.kill(victim, signal.SIGKILL)  # mid-load
        time.sleep(2)
        redis.stop()  # mid-load: broadcasts fail, edits keep being committed and acked
        time.sleep(1)
        redis.start()
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        for client in clients:  # one more edit each, after everything has recovered
            client.submit([{"op": "set_meta", "composer": f"last word {id(client)}"}])
        for client in clients:
            client.wait_synced(timeout=60)

        doc, head = service.load(score)
        log = service.edits(score)
        stored = {(e.client_id, e.client_seq): e.seq for e in log}
        acknowledged = 0
        for client in clients:
            assert client.errors == []
            assert client.document == doc and client.confirmed_seq == head
            for client_seq, seq in client.acknowledged.items():
                assert stored.get((client.client_id, client_seq)) == seq, "an acked edit is lost"
                acknowledged += 1
        assert acknowledged == head > 50, (acknowledged, head)
        assert replay(service.doc_at(score, 0), [e.ops for e in log]) == doc
        assert service.verify_log(score) == []
        after = workers.worker_pids()
        assert len(after) == 2 and victim not in after, (pids, after, workers.log()[-2000:])
    finally:
        for client in clients:
            client.close()
        workers.stop()
        redis.stop()
        service.db.dispose()
