"""The per-student contribution numbers of a classroom score equal a brute-force count
from its log, for random multi-student edit sequences (Hypothesis) committed through the
real ``EditLog`` on SQLite and read through the classrooms use case (``status``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.classrooms import ClassroomPolicy, ClassroomService
from server.classrooms.contribution import IDLE_S
from server.editing import EditLog
from server.history_service import HistoryViews
from server.persistence import Database, init_db
from server.score import InvalidOp, apply_edit
from server.score.model import Doc, iter_events, new_document
from tests.support.records import records

OFFSETS = ("0", "1/4", "1/2", "3/4")
STEPS = ("C", "D", "E", "F", "G", "A", "B")
STUDENTS = ("ana", "ben", "cy")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('contrib') / 'c.sqlite3'}"
    init_db(url)
    log = EditLog(Database(url), snapshot_every=7)
    repos = records(log)
    log.policy = ClassroomPolicy(repos.classrooms.rule_for)
    ids = {n: repos.users.create_user(n, "x") for n in ("tess", *STUDENTS)}
    rooms = ClassroomService.over(log, repos, HistoryViews(log, repos.checkpoints), str)
    klass = rooms.create_class(ids["tess"], "C")
    for name in STUDENTS:
        rooms.join(ids[name], klass["join_code"])
    yield {"log": log, "rooms": rooms, "ids": ids, "class": klass["id"]}
    log.db.dispose()


def note_ids(doc: Doc) -> set[str]:
    return {n["id"] for *_, e in iter_events(doc) for n in e.get("notes", ())}


def brute_force(log: EditLog, score: str, ids: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Replay the log from seq 0 and count, per person, straight from each edit."""
    doc = log.doc_at(score, 0)
    edits = log.edits(score)
    creator: dict[str, int] = {}
    via_helper: set[str] = set()
    counts = {uid: {"edits": 0, "written": 0, "helper": 0} for uid in ids.values()}
    last: dict[int, Any] = {}
    active = {uid: 0.0 for uid in ids.values()}
    for edit in edits:
        before = note_ids(doc)
        apply_edit(doc, edit.ops)
        new = note_ids(doc) - before
        row = counts[edit.author_id]
        row["edits"] += 1
        row["written"] += len(new)
        for nid in new:
            creator[nid] = edit.author_id
            if edit.origin == "helper":
                via_helper.add(nid)
                row["helper"] += 1
        if edit.author_id in last:
            gap = (edit.created_at - last[edit.author_id]).total_seconds()
            active[edit.author_id] += min(gap, IDLE_S)
        last[edit.author_id] = edit.created_at
    standing = note_ids(doc)
    out = {}
    for name, uid in ids.items():
        out[name] = {
            "edits": counts[uid]["edits"],
            "notes_written": counts[uid]["written"],
            "notes_standing": sum(1 for n in standing if creator.get(n) == uid),
            "helper_notes": counts[uid]["helper"],
            "time_active_s": round(active[uid], 1),
        }
    return out


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(STUDENTS),
        st.sampled_from(("write", "write", "chord", "delete", "pitch", "helper")),
        st.integers(0, 10**6),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ACTIONS)
def test_group_numbers_equal_a_brute_force_count(
    world: dict[str, Any], actions: list[tuple[str, str, int]]
) -> None:
    log, rooms, ids = world["log"], world["rooms"], world["ids"]
    made = rooms.create_assignment(
        ids["tess"], world["class"],
        {"title": "G", "mode": "group", "groups": ",".join(STUDENTS), "lock": False},
    )  # fmt: skip
    score = made["copies"][",".join(STUDENTS)]
    for k, (who, kind, r) in enumerate(actions):
        doc, _ = log.load(score)
        events = [e for *_, e in iter_events(doc) if e.get("notes")]
        measure, offset = f"m{r % 3 + 1}", OFFSETS[(r // 3) % 4]
        fresh = f"k{made['id']}x{k}"
        notes = [{"id": fresh + "a", "step": STEPS[r % 7], "octave": 4 + r % 2}]
        if kind == "chord" or (kind == "helper" and r % 2):
            notes.append({"id": fresh + "b", "step": STEPS[(r + 2) % 7], "octave": 5 + r % 2})
        write = {
            "op": "write_event", "part": "p1", "measure": measure, "offset": offset,
            "event": {"id": fresh, "dur": {"type": 4 if r % 5 else 2}, "notes": notes},
        }  # fmt: skip
        ops: list[dict[str, Any]]
        meta: dict[str, Any] = {}
        origin = "human"
        if kind in ("write", "chord"):
            ops = [write]
        elif kind == "helper":
            ops, origin = [write], "helper"
            meta = {"suggestion_id": k, "accepted_by": who, "accepted_by_id": ids[who]}
        elif not events:
            continue
        elif kind == "delete":
            ops = [{"op": "delete_event", "event": events[r % len(events)]["id"]}]
        else:
            target = events[r % len(events)]["notes"][0]["id"]
            ops = [{"op": "set_pitch", "note": target, "step": STEPS[r % 7], "alter": 0,
                    "octave": 3}]  # fmt: skip
        try:
            log.submit(score, ids[who], ops, origin=origin, meta=meta)
        except InvalidOp:
            continue
    expected = brute_force(log, score, {n: ids[n] for n in STUDENTS})
    rows = {r["student"]: r for r in rooms.status(ids["tess"], made["id"])}
    for name in STUDENTS:
        got = {k: rows[name][k] for k in expected[name]}
        assert got == expected[name], (name, actions)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 2**32), st.integers(1, 30))
def test_no_student_edit_ever_changes_a_locked_template_event(
    world: dict[str, Any], seed: int, count: int
) -> None:
    """Random edits of every op type (tests/support/score_gen) by a student on a locked
    copy: each is stored or refused whole, and whatever was stored left every note and
    chord the template gave exactly where and as it was."""
    import random

    from server.auth.roles import AuthError
    from server.classrooms.policy import placed
    from tests.support.score_gen import IdSource, random_edit

    log, rooms, ids = world["log"], world["rooms"], world["ids"]
    rng = random.Random(seed)
    template = log.create_score(ids["tess"], "T", new_document(measures=3))
    teacher_ids = IdSource(f"t{seed}")
    for _ in range(8):
        doc, _ = log.load(template)
        try:
            log.submit(template, ids["tess"], random_edit(doc, rng, teacher_ids))
        except InvalidOp:
            pass
    made = rooms.create_assignment(
        ids["tess"], world["class"], {"title": "L", "template": template}
    )
    copy = made["copies"]["ana"]
    given = set(rooms.store.get_assignment(made["id"])["locked_ids"])
    original = placed(log.load(copy)[0], given)
    student_ids = IdSource(f"s{seed}")
    for _ in range(count):
        doc, head = log.load(copy)
        try:
            log.submit(copy, ids["ana"], random_edit(doc, rng, student_ids))
        except AuthError as exc:
            assert exc.extra["reason"] == "locked"
            assert log.head_seq(copy) == head
        except InvalidOp:
            assert log.head_seq(copy) == head
        assert placed(log.load(copy)[0], given) == original
