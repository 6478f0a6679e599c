"""The pure collab core (server/sync/collab.py) against a tiny in-test authority.

Like prosemirror-collab's own tests: N clients and a minimal server that applies
edits at the head; deliveries are shuffled, duplicated and delayed, and every case
ends with "all replicas converged". The real server is tested in tests/integration.
More seeds: ``TUTTI_COLLAB_SEEDS=5000``.
"""

from __future__ import annotations

import copy
import os
import random
from typing import Any

import pytest

from server.score import ScoreError, apply_edit, new_document
from server.sync.collab import Collab

from ..support.random_ops import IdSource, valid_edit


class TinyAuthority:
    """Applies edits at the head in arrival order; dedups by (client_id, client_seq)."""

    def __init__(self) -> None:
        self.doc = new_document()
        self.log: list[dict[str, Any]] = []
        self.seen: dict[tuple[str, int], int] = {}

    def submit(self, client_id: str, client_seq: int, ops: list[dict[str, Any]]) -> dict:
        key = (client_id, client_seq)
        if key in self.seen:
            return {"ok": True, "seq": self.seen[key], "skipped": [], "duplicate": True}
        try:
            apply_edit(self.doc, copy.deepcopy(ops))
        except ScoreError as exc:
            return {"ok": False, "error": {"code": "invalid_op", "message": exc.message}}
        seq = len(self.log) + 1
        self.log.append({"seq": seq, "client_id": client_id, "client_seq": client_seq, "ops": ops})
        self.seen[key] = seq
        return {"ok": True, "seq": seq, "skipped": [], "duplicate": False}


def _joined(client_id: str) -> Collab:
    collab = Collab(client_id)
    collab.reset(new_document(), 0)
    return collab


NOTE = {
    "op": "write_event",
    "part": "p1",
    "measure": "m1",
    "offset": "0",
    "event": {"id": "e1", "dur": {"type": 4}, "notes": [{"id": "n1", "step": "C", "octave": 4}]},
}


def test_own_edit_confirmed_keeps_the_view() -> None:
    server, ana = TinyAuthority(), _joined("ana")
    edit = ana.local_edit([NOTE])
    view = ana.view()
    ack = server.submit("ana", edit.client_seq, edit.ops)
    assert ana.settle(edit, ack) == "ok"
    assert ana.receive(server.log[0])
    assert ana.pending == [] and ana.seq == 1 and ana.acknowledged == {1: 1}
    assert ana.view() == view == server.doc


def test_remote_edit_rebases_pending_and_early_edits_wait() -> None:
    server, ana, bob = TinyAuthority(), _joined("ana"), _joined("bob")
    mine = ana.local_edit([{"op": "set_meta", "title": "Mine"}])
    for ops, seq in (([NOTE], 1), ([{"op": "set_meta", "composer": "Bob"}], 2)):
        edit = bob.local_edit(ops)
        bob.settle(edit, server.submit("bob", seq, ops))
    assert not ana.receive(server.log[1])  # seq 2 before seq 1: buffered
    assert ana.gap() == (1, 1) and ana.seq == 0
    assert ana.receive(server.log[0])  # now both apply, in order
    assert ana.seq == 2 and ana.gap() is None
    assert ana.view()["title"] == "Mine" and ana.view()["composer"] == "Bob"
    assert not ana.receive(server.log[0])  # a duplicate delivery changes nothing
    ana.settle(mine, server.submit("ana", mine.client_seq, mine.ops))
    ana.receive(server.log[2])
    assert ana.view() == server.doc and ana.pending == []


def test_clashing_edit_leaves_the_view_then_is_dropped_when_refused() -> None:
    server, ana, bob = TinyAuthority(), _joined("ana"), _joined("bob")
    first = ana.local_edit([NOTE])
    ana.settle(first, server.submit("ana", first.client_seq, first.ops))
    bob.receive(server.log[0])
    ana.receive(server.log[0])
    add = {"op": "add_note", "event": "e1", "note": {"id": "x", "step": "E", "octave": 4}}
    theirs = dict(add, note={"id": "y", "step": "E", "octave": 4})
    bobs = bob.local_edit([add])
    anas = ana.local_edit([theirs])
    ana.settle(anas, server.submit("ana", anas.client_seq, anas.ops))
    bob.receive(server.log[1])  # Ana's E4 lands first: Bob's E4 no longer applies
    assert bob.view() == server.doc and not bobs.in_view and bob.pending == [bobs]
    assert bob.settle(bobs, server.submit("bob", bobs.client_seq, bobs.ops)) == "dropped"
    assert [(d.client_seq, d.code) for d in bob.dropped] == [(1, "invalid_op")]
    assert bob.pending == [] and bob.view() == server.doc


def test_client_seq_reused_is_final_while_server_error_is_retried() -> None:
    ana = _joined("ana")
    flaky = ana.local_edit([NOTE])
    failed = {"ok": False, "error": {"code": "server_error", "message": "db away"}}
    assert ana.settle(flaky, failed) == "retry" and ana.pending == [flaky]
    reused = {
        "ok": False,
        "error": {"code": "client_seq_reused", "message": "already used", "seq": 4},
    }
    assert ana.settle(flaky, reused) == "dropped"
    assert [(d.client_seq, d.code) for d in ana.dropped] == [(1, "client_seq_reused")]
    assert ana.pending == [] and ana.view() == new_document()


def test_ack_of_an_edit_already_in_a_snapshot_confirms_it() -> None:
    server, ana = TinyAuthority(), _joined("ana")
    edit = ana.local_edit([NOTE])
    server.submit("ana", 1, edit.ops)  # stored, but the ack was lost
    ana.reset(copy.deepcopy(server.doc), 1)  # catch-up by snapshot
    assert ana.settle(edit, server.submit("ana", 1, edit.ops)) == "ok"  # duplicate
    assert ana.pending == [] and ana.view() == server.doc


def test_retryable_refusal_keeps_the_edit_unsent() -> None:
    ana = _joined("ana")
    edit = ana.local_edit([NOTE])
    edit.sent = True
    refusal = {"ok": False, "error": {"code": "rate_limited", "message": "", "retry_after": 1}}
    assert ana.settle(edit, refusal) == "retry"
    assert ana.pending == [edit] and not edit.sent


@pytest.mark.parametrize("seed", range(int(os.environ.get("TUTTI_COLLAB_SEEDS", "20"))))
def test_random_concurrent_edits_converge(seed: int) -> None:
    """Three clients, edits submitted and delivered in random interleavings."""
    rng = random.Random(seed)
    server = TinyAuthority()
    names = ["ana", "bob", "cai"]
    clients = {n: _joined(n) for n in names}
    ids = {n: IdSource(f"{n}-") for n in names}
    outbox: list[tuple[str, Any]] = []  # (client, pending edit) not yet at the server
    delivered = {n: 0 for n in names}  # how far each client has read the log
    for _ in range(60):
        name = rng.choice(names)
        collab = clients[name]
        action = rng.random()
        if action < 0.45:
            try:
                outbox.append((name, collab.local_edit(valid_edit(collab.view(), rng, ids[name]))))
            except ScoreError:
                pass
        elif action < 0.75 and outbox:
            who, edit = outbox.pop(rng.randrange(len(outbox)))
            ack = server.submit(who, edit.client_seq, edit.ops)
            clients[who].settle(edit, ack)
            if ack["ok"] and rng.random() < 0.2:  # a resubmission after a lost ack
                assert server.submit(who, edit.client_seq, edit.ops)["duplicate"]
        else:  # deliver a random later edit (maybe out of order) to this client
            if delivered[name] < len(server.log):
                index = rng.randrange(delivered[name], len(server.log))
                collab.receive(server.log[index])
                while collab.gap():  # what a fetch would return
                    first, last = collab.gap()  # type: ignore[misc]
                    for wire in server.log[first - 1 : last]:
                        collab.receive(wire)
                delivered[name] = collab.seq
    for who, edit in outbox:
        clients[who].settle(edit, server.submit(who, edit.client_seq, edit.ops))
    for collab in clients.values():
        for wire in server.log[collab.seq :]:
            collab.receive(wire)
        assert collab.pending == [] and collab.errors == []
        assert collab.view() == server.doc
