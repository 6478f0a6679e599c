"""``HistoryService`` over a real ``EditLog`` (SQLite): the cached view, advanced edit by
edit, answers exactly like a fresh one; selectors; measure ranges; role checks."""

from __future__ import annotations

import random

import pytest

from server.auth import AuthError
from server.editing import EditLog
from server.history_service import (
    PAUSE_EVERY,
    Filters,
    HistoryError,
    HistoryService,
    HistoryViews,
)
from server.score.model import new_document
from tests.support.records import records


def _note(k: int, measure: str, step: str) -> dict:
    return {
        "op": "write_event",
        "part": "p1",
        "measure": measure,
        "offset": f"{k % 4}/4",
        "event": {
            "id": f"e{k}",
            "dur": {"type": 4},
            "notes": [{"id": f"n{k}", "step": step, "octave": 4}],
        },
    }


def test_incremental_view_equals_fresh_view(service: EditLog) -> None:
    ana = records(service).users.create_user("ana", "x")
    ben = records(service).users.create_user("ben", "x")
    score = service.create_score(ana, "S", new_document(measures=4))
    records(service).members.set_member(score, ben, "editor")
    pauses: list[int] = []
    history = HistoryService.over(
        service,
        records(service),
        HistoryViews(service, records(service).checkpoints, pause=lambda: pauses.append(1)),
    )
    rng = random.Random(5)
    for k in range(1, 60):
        who = rng.choice([ana, ben])
        service.submit(score, who, [_note(k, f"m{rng.randint(1, 4)}", rng.choice("CDEFGAB"))])
        if k % 7 == 0:  # the cached view follows the log between requests
            history.blame(score, ana)
    first, _ = history.revert(
        score, ana, None, Filters(author_id=ben, from_measure="2", to_measure="3")
    )
    assert first["seq"] == 60 and first["requested"]
    cached = (history.blame(score, ana), history.history(score, ana, Filters()))
    fresh_service = HistoryService.over(service, records(service))
    assert (fresh_service.blame(score, ana), fresh_service.history(score, ana, Filters())) == cached
    assert history.doc_at(score, ana, None)[0] == service.load(score)[0]
    assert history.doc_at(score, ana, 20)[0] == service.doc_at(score, 20)
    # A selector never picks a revert: reverting Ana's edits leaves her revert edit alone.
    report, edit = history.revert(score, ana, None, Filters(author_id=ana))
    assert 60 not in report["requested"] and report["requested"]
    assert edit is not None and edit.origin == "revert" and edit.author_id == ana
    # Building from scratch pauses for the event loop every PAUSE_EVERY edits.
    assert pauses == []
    for k in range(60, 2 * PAUSE_EVERY + 5):
        service.submit(score, ana, [{"op": "set_meta", "title": f"S{k}"}])
    rebuilt = HistoryViews(service, records(service).checkpoints, pause=lambda: pauses.append(1))
    assert rebuilt.get(score).seq == service.head_seq(score) and len(pauses) == 2


def test_roles_and_bad_input(service: EditLog) -> None:
    ana = records(service).users.create_user("ana", "x")
    vera = records(service).users.create_user("vera", "x")
    stranger = records(service).users.create_user("stranger", "x")
    score = service.create_score(ana, "S", new_document(measures=3))
    records(service).members.set_member(score, vera, "viewer")
    service.submit(score, ana, [_note(1, "m1", "C")])
    history = HistoryService.over(service, records(service))
    assert history.history(score, vera, Filters())["head"] == 1
    for call in (
        lambda: history.revert(score, vera, [1], None),
        lambda: history.restore(score, vera, 0),
        lambda: history.create_version(score, vera, "v"),
        lambda: history.blame(score, stranger),
    ):
        with pytest.raises(AuthError) as refused:  # the one role check (server.auth.roles)
            call()
        assert refused.value.code == "forbidden"
    with pytest.raises(HistoryError):
        history.history(score, ana, Filters(from_measure="9"))
    with pytest.raises(HistoryError):
        history.doc_at(score, ana, 5)
    with pytest.raises(HistoryError):
        history.create_version(score, ana, "  ")
    version = history.create_version(score, ana, "start", 0)
    assert (version["seq"], version["label"], version["author"]["name"]) == (0, "start", "ana")
    report, edit = history.restore(score, ana, 0)
    assert edit is not None and edit.meta == {"version": 0, "label": "start"}
    assert service.load(score)[0] == service.doc_at(score, 0)
    assert service.verify_log(score) == []
