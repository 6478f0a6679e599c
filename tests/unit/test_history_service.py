"""The history core over a real edit log: edits committed through ``EditLog`` on
SQLite, read back as ``CommittedEdit`` rows, then blamed, described and reverted."""

from __future__ import annotations

from server.editing import EditLog
from server.history import HistoryView, by_origin, plan_revert
from tests.support.records import records


def _write(event_id: str, step: str, measure: str, offset: str = "0") -> list[dict[str, object]]:
    notes = [{"id": f"{event_id}n", "step": step, "alter": 0, "octave": 4}]
    event = {"id": event_id, "dur": {"type": 4}, "notes": notes}
    return [
        {"op": "write_event", "part": "p1", "measure": measure, "offset": offset, "event": event}
    ]


def test_history_of_a_stored_log(service: EditLog) -> None:
    ana = records(service).users.create_user("ana", "hash", display_name="Ana")
    ben = records(service).users.create_user("ben", "hash", display_name="Ben")
    score = service.create_score(ana, "Song")
    records(service).members.set_member(score, ben, "editor")
    service.submit(score, ana, _write("e1", "E", "m1"))
    service.submit(score, ana, _write("e2", "G", "m2"))
    helper = {"suggestion_id": 4, "accepted_by": "Ben"}
    service.submit(score, ben, _write("e3", "C", "m3"), origin="helper", meta=helper)
    service.submit(score, ben, [{"op": "set_pitch", "note": "e1n", "step": "F", "octave": 4}])
    # A skipped op is stored as a recorded no-op; history must cope with it.
    service.submit(
        score, ben, [{"op": "set_tie", "note": "gone", "tie": True}, *_write("e4", "A", "m4")]
    )

    edits = service.edits(score)
    view = HistoryView(service.doc_at(score, 0), edits)
    doc, head = service.load(score)
    assert view.head == doc and view.seq == head == 5
    for seq in range(head + 1):
        assert view.doc_at(seq) == service.doc_at(score, seq)

    blame = view.blame()
    e1n, e3n = blame.get("e1n"), blame.get("e3n")
    assert e1n is not None and e1n.created.author_name == "Ana"
    assert e1n.changed is not None and e1n.changed.author_name == "Ben"
    assert e3n is not None and e3n.via_helper and e3n.created.accepted_by == "Ben"
    assert [e.summary for e in view.entries()] == [
        "Ana wrote a quarter note E4 in m. 1, Piano (+1 more edit)",
        "Ben accepted a helper suggestion: wrote a quarter note C4 in m. 3, Piano",
        "Ben: E4 → F4, m. 1, Piano (+1 more edit)",
    ]
    # The skipped set_tie is left out of the description.
    assert view.descriptions[5] == "Ben wrote a quarter note A4 in m. 4, Piano"
    # Revert the helper's suggestion as a new edit, then Ana's first edit: Ben's pitch stays.
    plan = plan_revert(doc, edits, by_origin(edits, "helper"))
    assert plan.conflicts == [] and plan.reverted == [3]
    reverted = service.submit(
        score, ana, plan.ops, origin="revert", meta={"reverts": plan.reverted}
    )
    plan = plan_revert(service.load(score)[0], service.edits(score), [1])
    assert plan.conflicts == ["m. 1, Piano: the pitch of F4 was changed later by Ben; kept"]
    assert plan.ops == []

    view.append(reverted)
    assert view.descriptions[6] == "Ana reverted edit 3"
    assert view.blame().get("e3n") is None
    assert view.head == service.load(score)[0]
    assert view.doc_at(2) == service.doc_at(score, 2)


def test_history_views_stay_within_their_byte_budget(service: EditLog) -> None:
    """Views are dropped least recently used first once their estimated sizes exceed the
    budget, however few they are; the one asked for is always kept and stays right."""
    from server.history_service import HistoryViews
    from server.score.model import new_document

    ana = records(service).users.create_user("ana", "hash", display_name="Ana")
    big = new_document(measures=100, parts=[{"name": f"P{i}"} for i in range(4)])
    one = HistoryView(big).approx_bytes()
    views = HistoryViews(service, records(service).checkpoints, cache_bytes=int(2.5 * one))
    tiny = [service.create_score(ana, f"t{i}") for i in range(6)]
    for score in tiny:
        views.get(score)
    assert len(views._views) == 6  # small views: all fit
    bigs = [service.create_score(ana, f"b{i}", doc=big) for i in range(3)]
    for score in bigs:
        service.submit(score, ana, _write(f"x{score}", "E", "m1"))
        views.get(score)
    held = list(views._views)
    assert bigs[0] not in held and bigs[1] in held and bigs[2] in held
    assert views.cached_bytes() <= views.cache_bytes
    # A dropped view is rebuilt on demand and equals the log.
    view = views.get(bigs[0])
    assert view.head == service.load(bigs[0])[0] and view.seq == 1
    assert bigs[0] in views._views and views.cached_bytes() <= views.cache_bytes
