"""Convergence fuzz against the real server: random concurrent edits, disconnects, resubmits.

Each seed: three users edit one score from three threads through real
``TuttiClient``s over websockets, going offline and back at random and resending
already-acknowledged edits verbatim. Afterwards every client's document must equal
the database's, which must equal a replay of the log from seq 0; the hash chain
must be intact; and every edit must be in the log exactly once (acknowledged at the
seq where its ops are stored, or refused by the server as ``invalid_op``).

The harness catches a broken server: ``TUTTI_FAULT_INJECTION=no_dedup`` (test-only
fault injection, off by default) makes the server forget (client_id, client_seq)
deduplication, and ``test_fuzz_fails_when_dedup_is_broken`` asserts the fuzz fails.

Seeds: ``TUTTI_FUZZ_SEEDS`` (default 6; CI: ``TUTTI_FUZZ_SEEDS=40``; a soak run:
``TUTTI_FUZZ_SEEDS=2000 TUTTI_FUZZ_STEPS=60 pytest tests/integration/test_sync_convergence.py``).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from server.client import TuttiClient
from server.editing import EditLog, replay
from server.persistence import Database, init_db
from server.score import ScoreError
from tests.support.records import records

from ..support.random_ops import IdSource, valid_edit
from .conftest import LiveServer

SEEDS = int(os.environ.get("TUTTI_FUZZ_SEEDS", "6"))
STEPS = int(os.environ.get("TUTTI_FUZZ_STEPS", "20"))
USERS = ("ana", "bob", "cai")


@dataclass
class Fuzzer:
    """One simulated user: a client, its RNG, and a record of everything it sent."""

    client: TuttiClient
    rng: random.Random
    ids: IdSource
    sent: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    duplicates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    offline: bool = False
    disconnects: int = 0

    def step(self) -> None:
        roll = self.rng.random()
        client = self.client
        if self.offline:
            if roll < 0.4:
                client.connect()
                self.offline = False
            elif roll < 0.8:  # edit while offline: queued, sent after the catch-up
                self.edit()
            return
        if roll < 0.08:
            client.close()
            self.offline = True
            self.disconnects += 1
        elif roll < 0.16 and client.acknowledged:
            self.resubmit()
        else:
            self.edit()

    def edit(self) -> None:
        ops = valid_edit(self.client.document, self.rng, self.ids)
        try:
            client_seq = self.client.submit(ops)
        except ScoreError:
            return  # a remote edit landed between reading the view and submitting
        self.sent[client_seq] = ops

    def resubmit(self) -> None:
        """Send an acknowledged edit again, verbatim: the server must not apply it twice."""
        client_seq = self.rng.choice(sorted(self.client.acknowledged))
        payload = {
            "score": self.client.score_id,
            "client_id": self.client.client_id,
            "client_seq": client_seq,
            "ops": self.sent[client_seq],
        }
        try:
            ack = self.client.sio.call("submit", payload, timeout=5)
        except Exception:  # noqa: BLE001 - a concurrent disconnect; nothing was learnt
            return
        self.duplicates.append((client_seq, ack))

    def run(self, steps: int) -> None:
        for _ in range(steps):
            self.step()
            time.sleep(self.rng.random() * 0.01)
        if self.offline:
            self.client.connect()
            self.offline = False
        self.client.wait_synced(timeout=20)
        if self.client.acknowledged:
            self.resubmit()  # at least one deliberate duplicate per user and run


def run_fuzz(server: LiveServer, service: EditLog, seed: int, steps: int = STEPS) -> None:
    """One seeded run; raises AssertionError on any divergence or lost/duplicated edit."""
    users = {name: records(service).users.user_by_name(name) for name in USERS}
    score = service.create_score(users["ana"]["id"], f"Fuzz {seed}")
    for name in USERS[1:]:
        records(service).members.set_member(score, users[name]["id"], "editor")
    fuzzers = []
    for i, name in enumerate(USERS):
        client = TuttiClient(server.url, server.token(name), client_id=f"s{seed}c{i}").connect()
        client.join(score)
        fuzzers.append(Fuzzer(client, random.Random(f"{seed}:{i}"), IdSource(f"s{seed}u{i}")))
    failures: list[BaseException] = []

    def work(fuzzer: Fuzzer) -> None:
        try:
            fuzzer.run(steps)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(f,)) for f in fuzzers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures
        for fuzzer in fuzzers:
            fuzzer.client.wait_synced(timeout=20)
        check_converged(service, score, fuzzers)
        print(
            f"seed {seed}: {service.head_seq(score)} edits, "
            f"{sum(f.disconnects for f in fuzzers)} disconnects, "
            f"{sum(len(f.duplicates) for f in fuzzers)} resubmissions, "
            f"{sum(len(f.client.dropped) for f in fuzzers)} refused as invalid"
        )
    finally:
        for fuzzer in fuzzers:
            fuzzer.client.close()


def check_converged(service: EditLog, score: str, fuzzers: list[Fuzzer]) -> None:
    doc, head = service.load(score)
    log = service.edits(score)
    assert [e.seq for e in log] == list(range(1, head + 1)), "the log is not dense"
    assert replay(service.doc_at(score, 0), [e.ops for e in log]) == doc, "replay != database"
    assert service.verify_log(score) == []
    acknowledged = 0
    for fuzzer in fuzzers:
        client = fuzzer.client
        assert client.errors == [], client.errors
        assert client.pending == 0
        assert client.confirmed_seq == head
        assert client.document == doc, f"client {client.client_id} diverged"
        dropped = {d.client_seq for d in client.dropped}
        assert all(d.code == "invalid_op" for d in client.dropped), client.dropped
        assert set(client.acknowledged) | dropped == set(fuzzer.sent), "an edit was lost"
        assert not set(client.acknowledged) & dropped
        for client_seq, seq in client.acknowledged.items():
            stored = log[seq - 1]
            assert stored.ops == fuzzer.sent[client_seq], f"edit {seq} is not what was sent"
            assert stored.author_name == client.user["display_name"]  # type: ignore[index]
        for client_seq, ack in fuzzer.duplicates:
            assert ack.get("ok") and ack["seq"] == client.acknowledged[client_seq], (
                f"resubmitting client_seq {client_seq} was not deduplicated: {ack}"
            )
        acknowledged += len(client.acknowledged)
    assert head == acknowledged, f"{head} edits stored for {acknowledged} acknowledged edits"


@pytest.fixture(scope="module")
def fuzz_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, EditLog]]:
    yield from _server(tmp_path_factory.mktemp("fuzz"), {})


def _server(workdir: Path, env: dict[str, str]) -> Iterator[tuple[LiveServer, EditLog]]:
    url = f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    init_db(url)
    server = LiveServer(url, workdir, env).start()
    service = EditLog(Database(url))
    try:
        for name in USERS:
            server.signup(name)
        yield server, service
    finally:
        server.stop()
        service.db.dispose()


@pytest.mark.parametrize("seed", range(SEEDS))
def test_clients_converge(fuzz_server: tuple[LiveServer, EditLog], seed: int) -> None:
    server, service = fuzz_server
    run_fuzz(server, service, seed)


def test_fuzz_fails_when_dedup_is_broken(tmp_path: Path) -> None:
    """The same harness against a server with dedup switched off must report the fault."""
    for server, service in _server(tmp_path, {"TUTTI_FAULT_INJECTION": "no_dedup"}):
        with pytest.raises(AssertionError, match="not deduplicated") as failure:
            run_fuzz(server, service, seed=0, steps=8)
        print(failure.value)
