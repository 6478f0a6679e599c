"""EditLog on a real SQLite database: seq allocation, idempotent resubmission,
refused and skipped ops, snapshots, reads of the log, members, settings, versions and
suggestions."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from server.editing import (
    ClientSeqReused,
    CommittedEdit,
    EditLog,
    OutOfOrder,
    ScoreNotFound,
    UserNotFound,
)
from server.persistence import Database, NameTaken
from server.score import InvalidOp, apply_edit, new_document
from server.score.size import doc_bytes
from tests.support.records import records


def _title(title: str) -> list[dict[str, object]]:
    return [{"op": "set_meta", "title": title}]


def _write(event_id: str, step: str = "C", offset: str = "0") -> list[dict[str, object]]:
    return [
        {
            "op": "write_event",
            "part": "p1",
            "measure": "m1",
            "offset": offset,
            "event": {
                "id": event_id,
                "dur": {"type": 4},
                "notes": [{"id": f"{event_id}n", "step": step, "alter": 0, "octave": 4}],
            },
        }
    ]


def _sqlite_rows(db_url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql, args).fetchall()


@pytest.fixture
def ana(service: EditLog) -> int:
    return records(service).users.create_user("ana", "hash", display_name="Ana")


@pytest.fixture
def score(service: EditLog, ana: int) -> str:
    return service.create_score(ana, "Song")


def test_submit_assigns_dense_seqs_and_load_returns_the_head(
    service: EditLog, ana: int, score: str
) -> None:
    first = service.submit(score, ana, _write("e1"), client_id="c1", client_seq=1)
    second = service.submit(score, ana, _title("Hymn"), client_id="c1", client_seq=2)
    assert (first.seq, second.seq) == (1, 2)
    assert not first.duplicate
    doc, seq = service.load(score)
    expected = new_document(title="Song")
    apply_edit(expected, _write("e1"))
    apply_edit(expected, _title("Hymn"))
    assert (doc, seq) == (expected, 2)
    assert (
        records(service).settings.score_info(score)["title"] == "Hymn"
    )  # the list of scores follows the doc


def test_wire_form_names_the_author_and_hides_the_inverse(
    service: EditLog, ana: int, score: str
) -> None:
    edit = service.submit(score, ana, _write("e1"), client_id="c1", client_seq=7, meta={"k": 1})
    wire = edit.to_wire()
    assert wire == {
        "score": score,
        "seq": 1,
        "author": {"id": ana, "name": "Ana"},
        "client_id": "c1",
        "client_seq": 7,
        "ops": _write("e1"),
        "skipped": [],
        "origin": "human",
        "meta": {"k": 1},
        "at": wire["at"],
    }
    at = datetime.fromisoformat(wire["at"])
    assert at.tzinfo is not None and abs((datetime.now(UTC) - at).total_seconds()) < 60
    assert edit.inverse and "inverse" not in wire


def test_resubmission_returns_the_original_and_stores_one_row(
    service: EditLog, db_url: str, ana: int, score: str
) -> None:
    original = service.submit(score, ana, _write("e1"), client_id="tab", client_seq=1)
    again = service.submit(score, ana, _write("e1"), client_id="tab", client_seq=1)
    assert again.duplicate and again.seq == original.seq == 1
    assert again.ops == original.ops and again.created_at == original.created_at
    assert _sqlite_rows(db_url, "SELECT count(*) FROM edits") == [(1,)]
    assert service.head_seq(score) == 1
    # A different client may use the same client seq.
    assert service.submit(score, ana, _title("x"), client_id="other", client_seq=1).seq == 2


def test_reused_client_seq_with_other_ops_is_refused_and_stores_nothing(
    service: EditLog, db_url: str, ana: int, score: str
) -> None:
    original = service.submit(score, ana, _write("e1"), client_id="tab", client_seq=1)
    before = service.load(score)
    ben = records(service).users.create_user("ben", "hash")
    records(service).members.set_member(score, ben, "editor")
    # Other ops, one field changed, another author with identical ops, other meta: each
    # would be silently lost if acked as a duplicate.
    reuses = [
        (ana, _write("e2", offset="1/4"), {}),
        (ana, _write("e1", step="D"), {}),
        (ben, _write("e1"), {}),
        (ana, _write("e1"), {"k": 1}),
    ]
    for author, ops, meta in reuses:
        with pytest.raises(ClientSeqReused) as caught:
            service.submit(score, author, ops, client_id="tab", client_seq=1, meta=meta)
        assert caught.value.seq == original.seq == 1
        assert (caught.value.client_id, caught.value.client_seq) == ("tab", 1)
    assert service.load(score) == before
    assert _sqlite_rows(db_url, "SELECT count(*), max(seq) FROM edits") == [(1, 1)]
    # No seq was used by the refusals, and the identical resubmission is still a duplicate
    # (key order inside an op does not make it another edit).
    reordered = [dict(reversed(list(op.items()))) for op in _write("e1")]
    again = service.submit(score, ana, reordered, client_id="tab", client_seq=1)
    assert again.duplicate and again.seq == 1
    assert service.submit(score, ana, _title("next"), client_id="tab", client_seq=2).seq == 2
    assert service.verify_log(score) == []


def test_reused_client_seq_by_a_viewer_is_forbidden_not_revealed(
    service: EditLog, ana: int, score: str
) -> None:
    service.submit(score, ana, _write("e1"), client_id="tab", client_seq=1)
    cy = records(service).users.create_user("cy", "hash")
    records(service).members.set_member(score, cy, "viewer")

    def editors_only(role: str | None) -> None:
        if role not in ("editor", "owner"):
            raise PermissionError(role)

    with pytest.raises(PermissionError):
        service.submit(
            score, cy, _title("x"), client_id="tab", client_seq=1, check_role=editors_only
        )


def test_invalid_edit_stores_nothing_and_uses_no_seq(
    service: EditLog, db_url: str, ana: int, score: str
) -> None:
    service.submit(score, ana, _write("e1"))
    before, _ = service.load(score)
    # The second op is invalid (the id is taken): the first must be undone as well.
    with pytest.raises(InvalidOp):
        service.submit(score, ana, _title("changed") + _write("e1", offset="1/4"))
    with pytest.raises(InvalidOp):
        service.submit(score, ana, [{"op": "no_such_op"}], client_id="c", client_seq=1)
    assert service.load(score) == (before, 1)
    assert _sqlite_rows(db_url, "SELECT count(*) FROM edits") == [(1,)]
    assert service.submit(score, ana, _title("next"), client_id="c", client_seq=1).seq == 2
    assert service.verify_log(score) == []


def test_missing_target_is_a_recorded_no_op(service: EditLog, ana: int, score: str) -> None:
    service.submit(score, ana, _write("e1"))
    edit = service.submit(
        score, ana, [{"op": "delete_event", "event": "gone"}, *_title("still applied")]
    )
    assert edit.seq == 2
    assert [s["index"] for s in edit.skipped] == [0]
    assert edit.skipped[0]["code"] == "missing_target"
    assert service.edits(score, from_seq=2)[0].skipped == edit.skipped
    assert service.load(score)[0]["title"] == "still applied"


def test_snapshots_are_written_every_n_edits(
    service: EditLog, db_url: str, ana: int, score: str
) -> None:
    for i in range(25):
        service.submit(score, ana, _title(f"t{i}"))
    seqs = _sqlite_rows(db_url, "SELECT seq FROM snapshots WHERE score_id = ? ORDER BY seq", score)
    assert seqs == [(0,), (10,), (20,)]
    service.forget_cache()
    assert service.load(score)[0]["title"] == "t24"
    assert service.doc_at(score, 0)["title"] == "Song"
    assert service.doc_at(score, 13)["title"] == "t12"
    with pytest.raises(ValueError):
        service.doc_at(score, 26)


def test_reads_of_the_log(service: EditLog, ana: int, score: str) -> None:
    for i in range(6):
        service.submit(score, ana, _title(f"t{i}"), client_id="c", client_seq=i)
    assert [e.seq for e in service.edits_since(score, 2)] == [3, 4, 5, 6]
    assert [e.seq for e in service.edits_since(score, 2, limit=2)] == [3, 4]
    assert service.edits_since(score, 6) == []
    assert [e.seq for e in service.edits(score, from_seq=2, to_seq=4)] == [2, 3, 4]
    every = service.edits(score)
    assert [e.client_seq for e in every] == list(range(6))
    assert all(isinstance(e, CommittedEdit) and e.author_name == "Ana" for e in every)
    edit_at_3 = service.edit_at(score, 3)
    assert edit_at_3 is not None and edit_at_3.ops == _title("t2")
    assert service.edit_at(score, 99) is None


def test_unknown_score_and_author(service: EditLog, ana: int, score: str) -> None:
    for call in (
        lambda: service.submit("nope", ana, _title("x")),
        lambda: service.load("nope"),
        lambda: service.edits_since("nope", 0),
        lambda: service.verify_log("nope"),
        lambda: records(service).settings.get_settings("nope"),
    ):
        with pytest.raises(ScoreNotFound):
            call()
    with pytest.raises(UserNotFound):
        service.submit(score, 999, _title("x"))
    with pytest.raises(ValueError):
        service.submit(score, ana, _title("x"), origin="robot")


def test_users_members_settings(service: EditLog, ana: int, score: str) -> None:
    ben = records(service).users.create_user("ben", "h2")
    with pytest.raises(NameTaken):
        records(service).users.create_user("ben", "other")
    user = records(service).users.user_by_name("ben")
    assert user is not None and user["id"] == ben and user["display_name"] == "ben"
    assert user["colour"].startswith("#")
    assert (
        records(service).users.user_by_id(ben) == user
        and records(service).users.user_by_name("nobody") is None
    )
    assert (
        records(service).members.role_of(score, ana) == "owner"
        and records(service).members.role_of(score, ben) is None
    )
    records(service).members.set_member(score, ben, "viewer")
    records(service).members.set_member(score, ben, "editor")
    assert records(service).members.role_of(score, ben) == "editor"
    assert [(s["id"], s["role"]) for s in records(service).members.scores_for(ben)] == [
        (score, "editor")
    ]
    assert {m["name"]: m["role"] for m in records(service).members.members(score)} == {
        "ana": "owner",
        "ben": "editor",
    }
    records(service).members.set_member(score, ben, None)
    assert records(service).members.scores_for(ben) == []
    with pytest.raises(ValueError):
        records(service).members.set_member(score, ben, "god")
    assert records(service).settings.get_settings(score) == {"helper_enabled": False}
    assert records(service).settings.update_settings(
        score, helper_enabled=True, style="chorale"
    ) == {
        "helper_enabled": True,
        "style": "chorale",
    }
    assert records(service).settings.get_settings(score)["helper_enabled"] is True


def test_create_score_from_a_document(service: EditLog, ana: int) -> None:
    doc = new_document(title="Imported", measures=2)
    score = service.create_score(ana, doc=doc)
    assert service.load(score) == (doc, 0)
    assert records(service).settings.score_info(score)["title"] == "Imported"
    broken = new_document()
    broken["measures"] = []
    with pytest.raises(InvalidOp):
        service.create_score(ana, doc=broken)


def test_versions_and_suggestions(service: EditLog, ana: int, score: str) -> None:
    service.submit(score, ana, _title("a"))
    v = records(service).versions.create_version(score, "first draft", ana)
    assert (v["seq"], v["label"], v["author_name"]) == (1, "first draft", "Ana")
    records(service).versions.create_version(score, "empty", ana, seq=0)
    assert [x["label"] for x in records(service).versions.versions(score)] == [
        "empty",
        "first draft",
    ]
    with pytest.raises(ValueError):
        records(service).versions.create_version(score, "future", ana, seq=5)

    s = records(service).suggestions.create_suggestion(
        score, ana, {"kind": "voicing", "measures": ["m1"]}
    )
    assert s["status"] == "pending" and s["result"] is None
    assert records(service).suggestions.set_suggestion_result(s["id"], {"ops": _title("b")})
    accepted = records(service).suggestions.decide_suggestion(
        s["id"], "accepted", ana, accepted_seq=2
    )
    assert accepted is not None and accepted["status"] == "accepted"
    assert accepted["accepted_seq"] == 2 and accepted["decided_by"] == ana
    # Deciding twice (two people clicking at once) changes nothing the second time.
    assert records(service).suggestions.decide_suggestion(s["id"], "rejected", ana) is None
    assert not records(service).suggestions.set_suggestion_result(s["id"], {"ops": []})
    assert records(service).suggestions.suggestions(score, "pending") == []
    assert [x["id"] for x in records(service).suggestions.suggestions(score)] == [s["id"]]
    assert records(service).suggestions.get_suggestion(s["id"]) == accepted


def test_verify_log_detects_a_modified_row(
    service: EditLog, db_url: str, ana: int, score: str
) -> None:
    for i in range(5):
        service.submit(score, ana, _title(f"t{i}"))
    assert service.verify_log(score) == []
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        conn.execute(
            "UPDATE edits SET ops = ? WHERE score_id = ? AND seq = 3",
            ('[{"op": "set_meta", "title": "forged"}]', score),
        )
    problems = service.verify_log(score)
    assert problems == [
        "edit 3: content does not match its keyed hash (modified, or re-hashed without the log key)"
    ]
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        conn.execute("DELETE FROM edits WHERE score_id = ? AND seq = 4", (score,))
    problems = service.verify_log(score)
    assert any("gap" in p for p in problems) and any("prev_hash" in p for p in problems)


def test_concurrent_submits_in_one_process_stay_dense(
    service: EditLog, db_url: str, ana: int, score: str
) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for k in range(15):
                service.submit(score, ana, _title(f"w{n}-{k}"), client_id=f"w{n}", client_seq=k)
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [e.seq for e in service.edits(score)] == list(range(1, 91))
    assert service.verify_log(score) == []


def test_two_services_on_one_database_see_each_other(
    service: EditLog, db_url: str, ana: int, score: str
) -> None:
    """A second process's service: each one's cached head must follow the other's edits."""
    other = EditLog(Database(db_url), snapshot_every=10)
    try:
        for i in range(12):
            writer = service if i % 3 else other
            writer.submit(score, ana, _write(f"e{i}", offset="0") if i == 0 else _title(f"t{i}"))
        assert service.load(score) == other.load(score)
        assert service.load(score)[0]["title"] == "t11"
        # Far behind (more than a snapshot interval): rebuilt from a snapshot instead.
        for i in range(25):
            other.submit(score, ana, _title(f"far{i}"))
        assert service.submit(score, ana, _title("back")).seq == 38
        assert service.load(score) == other.load(score)
        assert other.load(score)[0]["title"] == "back"
        assert service.verify_log(score) == [] and other.verify_log(score) == []
    finally:
        other.db.dispose()


def test_cached_heads_stay_within_their_byte_budget(db_url: str, ana: int) -> None:
    """The budget is in bytes: many small scores fit where two big ones do not."""
    big = new_document(measures=200, parts=[{"name": f"P{i}"} for i in range(4)])
    one_big = doc_bytes(big)
    small = EditLog(Database(db_url), snapshot_every=10, cache_bytes=int(2.5 * one_big))
    try:
        tiny = [small.create_score(ana, f"s{i}") for i in range(8)]
        for score in tiny:
            small.submit(score, ana, _title(f"t-{score}"))
        assert sum(s.head is not None for s in small._states.values()) == 8  # all fit
        bigs = [small.create_score(ana, f"b{i}", doc=big) for i in range(3)]
        for score in bigs:
            small.submit(score, ana, _title(f"b-{score}"))
        cached = [sid for sid, s in small._states.items() if s.head is not None]
        assert bigs[0] not in cached and bigs[1] in cached and bigs[2] in cached
        assert small.cached_bytes() <= small.cache_bytes
        # Evicted scores still load (rebuilt from the log) and their logs verify.
        assert [small.load(s)[0]["title"] for s in bigs] == [f"b-{s}" for s in bigs]
        assert all(small.verify_log(s) == [] for s in tiny + bigs)
        assert small.cached_bytes() <= small.cache_bytes
    finally:
        small.db.dispose()


def test_edits_are_stored_as_plain_json(service: EditLog, ana: int, score: str) -> None:
    """Tuples, int keys and the like are normalised before hashing, so the chain verifies."""
    edit = service.submit(
        score, ana, [{"op": "set_meta", "title": "t"}], meta={"reverts": (1, 2), 7: "seven"}
    )
    assert edit.meta == {"reverts": [1, 2], "7": "seven"}
    assert service.edits(score)[0].meta == edit.meta
    assert service.verify_log(score) == []
    with pytest.raises(InvalidOp):
        service.submit(score, ana, [{"op": "set_tempo", "measure": "m1", "tempo": float("nan")}])
    with pytest.raises(InvalidOp):
        service.submit(score, ana, [{"op": "set_meta", "title": {1, 2}}])
    assert service.head_seq(score) == 1


def test_user_preferences(service: EditLog, ana: int) -> None:
    assert records(service).preferences.get_user_preferences(ana) == {"helper_opt_in": False}
    assert (
        records(service).preferences.update_user_preferences(ana, helper_opt_in=True)[
            "helper_opt_in"
        ]
        is True
    )
    assert records(service).preferences.update_user_preferences(ana, voice="satb") == {
        "helper_opt_in": True,
        "voice": "satb",
    }
    assert records(service).preferences.get_user_preferences(ana)["voice"] == "satb"
    with pytest.raises(UserNotFound):
        records(service).preferences.update_user_preferences(999, helper_opt_in=True)


def test_role_checked_inside_the_write_transaction_refuses_with_nothing_stored(
    service: EditLog, db_url: str, ana: int, score: str
) -> None:
    ben = records(service).users.create_user("ben", "hash", display_name="Ben")
    records(service).members.set_member(score, ben, "viewer")
    seen: list[str | None] = []

    def editors_only(role: str | None) -> None:
        seen.append(role)
        if role not in ("editor", "owner"):
            raise PermissionError(f"a {role} cannot edit")

    with pytest.raises(PermissionError):
        service.submit(score, ben, _write("e1"), check_role=editors_only)
    assert service.load(score)[1] == 0
    assert _sqlite_rows(db_url, "SELECT count(*) FROM edits") == [(0,)]
    assert service.submit(score, ana, _write("e1"), check_role=editors_only).seq == 1
    assert seen == ["viewer", "owner"]


def test_an_edit_after_an_unlogged_one_is_refused_and_stores_nothing(
    service: EditLog, ana: int, score: str
) -> None:
    with pytest.raises(OutOfOrder) as refused:
        service.submit(score, ana, _title("Second"), client_id="tab", client_seq=2, after=1)
    assert refused.value.after == 1
    assert service.head_seq(score) == 0
    first = service.submit(score, ana, _title("First"), client_id="tab", client_seq=1)
    second = service.submit(score, ana, _title("Second"), client_id="tab", client_seq=2, after=1)
    assert (first.seq, second.seq) == (1, 2)
    # Another client's edit 1 does not count as this client's.
    with pytest.raises(OutOfOrder):
        service.submit(score, ana, _title("Third"), client_id="pad", client_seq=2, after=1)


def test_read_head_looks_at_the_head_itself_under_the_scores_lock(
    service: EditLog, ana: int, score: str
) -> None:
    service.submit(score, ana, _title("Hymn"))
    seen = service.read_head(score, lambda doc, seq: (doc["title"], seq, id(doc)))
    assert seen[:2] == ("Hymn", 1)
    # No copy: the same cached document both times (load, by contrast, copies).
    assert service.read_head(score, lambda doc, seq: id(doc)) == seen[2]
    assert id(service.load(score)[0]) != seen[2]
    # The lock is held while reading: an edit of this score waits for it.
    order: list[str] = []

    def slow(doc: object, seq: int) -> None:
        writer.start()
        writer.join(0.2)
        order.append("read")

    writer = threading.Thread(
        target=lambda: (service.submit(score, ana, _title("Later")), order.append("edit"))
    )
    service.read_head(score, slow)
    writer.join(10)
    assert order == ["read", "edit"]
    with pytest.raises(ScoreNotFound):
        service.read_head("missing", lambda doc, seq: None)
