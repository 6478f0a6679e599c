"""Undo and redo in the editor, two people in two real browser contexts against the real
server, writing in the SAME bar (same part, same voice): Ctrl+Z takes back only one's
own note, Ctrl+Y puts it back, in both pages and in the database; an undo of a note a
collaborator changed since keeps their change and says so. No request leaves loopback.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from server.editing import EditLog

from .conftest import Blocked, click_id, new_shared_score, settled

pytestmark = pytest.mark.browser


def bar_notes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(note id, step) in bar 1 of the upper part, voice 1."""
    voice = doc["parts"][0]["bars"]["m1"]["voices"]["1"]
    return [(n["id"], n["step"]) for e in voice for n in e["notes"]]


def db_doc(service: EditLog, score_id: str) -> tuple[dict[str, Any], int]:
    service.forget_cache()
    return service.load(score_id)


def status(page: Page, starts: str) -> str:
    page.wait_for_function(
        "s => document.getElementById('status-line').textContent.startsWith(s)",
        arg=starts,
        timeout=10000,
    )
    return str(page.text_content("#status-line"))


def shown(page: Page, present: list[str], absent: list[str]) -> None:
    """The engraved page shows ``present`` note ids and none of ``absent``."""
    page.wait_for_function(
        """([present, absent]) => {
            const has = (id) => document.querySelector(`#score [id="${id}"]`) !== null;
            return present.every(has) && !absent.some(has);
        }""",
        arg=[present, absent],
        timeout=5000,
    )


def type_at(page: Page, rest_id: str, key: str) -> None:
    click_id(page, rest_id)
    page.keyboard.press("n")
    page.keyboard.press(key)
    page.keyboard.press("Escape")


def test_undo_takes_back_only_my_note_in_a_shared_bar_and_redo_puts_it_back(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, ben = make_user("undo_ana"), make_user("undo_ben")
    score_id = new_shared_score(ana, [ben])
    a, b = ana.open(score_id), ben.open(score_id)
    type_at(a, "m1.p1.r0", "c")  # Ana: a quarter C on beat 1
    settled(a, 1)
    doc_b = settled(b, 1)
    [(ana_note, _)] = bar_notes(doc_b)
    # Ben, later, in the same bar, part and voice: a quarter E on beat 2.
    rest_after = doc_b["parts"][0]["bars"]["m1"]["voices"]["1"][1]["id"]
    type_at(b, rest_after, "e")
    settled(b, 2)
    doc_a = settled(a, 2)
    [_, (ben_note, _)] = bar_notes(doc_a)
    assert bar_notes(doc_a) == [(ana_note, "C"), (ben_note, "E")]

    a.keyboard.press("Control+z")
    told = status(a, "Undone")
    assert "changed later by undo_ben" in told  # her beat stays a rest: Ben reshaped the bar
    doc_a, doc_b = settled(a, 3), settled(b, 3)
    doc, head = db_doc(web_service, score_id)
    assert head == 3 and doc_a == doc_b == doc
    assert bar_notes(doc) == [(ben_note, "E")]
    for page in (a, b):
        shown(page, [ben_note], [ana_note])
    assert web_service.edits(score_id)[-1].origin == "revert"

    a.keyboard.press("Control+y")
    assert status(a, "Redone") == "Redone"
    doc_a, doc_b = settled(a, 4), settled(b, 4)
    doc, head = db_doc(web_service, score_id)
    assert head == 4 and doc_a == doc_b == doc
    assert bar_notes(doc) == [(ana_note, "C"), (ben_note, "E")]
    for page in (a, b):
        shown(page, [ana_note, ben_note], [])
    assert ana.errors == [] and ben.errors == []
    assert blocked.urls == []


def test_undo_of_a_note_a_collaborator_changed_keeps_their_pitch_and_tells_me(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, ben = make_user("undo_ana2"), make_user("undo_ben2")
    score_id = new_shared_score(ana, [ben])
    a, b = ana.open(score_id), ben.open(score_id)
    type_at(a, "m1.p1.r0", "c")
    settled(a, 1)
    doc_b = settled(b, 1)
    [(note, _)] = bar_notes(doc_b)
    click_id(b, note)
    b.keyboard.press("g")  # Ben changes the pitch of Ana's note: C -> G
    settled(b, 2)
    settled(a, 2)

    a.keyboard.press("Control+z")
    told = status(a, "Nothing could be undone")
    doc, head = db_doc(web_service, score_id)
    assert head == 2  # nothing stored
    [ben_pitch] = [n for e in doc["parts"][0]["bars"]["m1"]["voices"]["1"] for n in e["notes"]]
    assert ben_pitch["step"] == "G"  # Ben's pitch stays, and Ana is told why
    said = f"the pitch of G{ben_pitch['octave']} was changed later by undo_ben2; kept"
    assert told == f"Nothing could be undone: m. 1, Upper: {said}"
    assert settled(a, 2) == settled(b, 2) == doc
    # The undo was used up: nothing else of Ana's to undo, nothing to redo.
    a.keyboard.press("Control+y")
    status(a, "Nothing to redo")
    a.keyboard.press("Control+z")
    status(a, "Nothing of yours to undo")
    assert blocked.urls == []


def test_undo_while_offline_says_so_and_works_once_back(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana = make_user("undo_ana3")
    score_id = new_shared_score(ana, [])
    a = ana.open(score_id)
    type_at(a, "m1.p1.r0", "d")
    settled(a, 1)
    ana.context.set_offline(True)
    a.wait_for_selector("#offline-banner:not([hidden])", timeout=5000)
    a.keyboard.press("Control+z")
    status(a, "You are offline")
    assert db_doc(web_service, score_id)[1] == 1
    ana.context.set_offline(False)
    a.wait_for_function("window.tutti.collab.joined && window.tutti.socket.connected")
    a.keyboard.press("Control+z")
    status(a, "Undone")
    doc, head = db_doc(web_service, score_id)
    assert head == 2 and bar_notes(doc) == [] and settled(a, 2) == doc
    assert blocked.urls == []


HOLD_SUBMITS = """() => {
    // Hold this page's submits in the page (the network is fine): the edit stays unconfirmed.
    const socket = window.tutti.socket;
    const emit = socket.emit.bind(socket);
    window.heldSubmits = [];
    window.releaseSubmits = () => window.heldSubmits.splice(0).forEach((args) => emit(...args));
    socket.emit = (...args) => {
        if (args[0] !== "submit") return emit(...args);
        window.heldSubmits.push(args);
        return socket;
    };
}"""


def test_undo_pressed_before_my_edit_is_confirmed_waits_for_it_and_never_reverts_another(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, ben = make_user("undo_ana4"), make_user("undo_ben4")
    score_id = new_shared_score(ana, [ben])
    a, b = ana.open(score_id), ben.open(score_id)
    type_at(b, "m1.p1.r0", "e")  # Ben's note first: the newest edit in the log
    settled(b, 1)
    doc_a = settled(a, 1)
    [(ben_note, _)] = bar_notes(doc_a)
    rest_after = doc_a["parts"][0]["bars"]["m1"]["voices"]["1"][1]["id"]
    a.evaluate(HOLD_SUBMITS)
    type_at(a, rest_after, "c")
    assert a.evaluate("window.heldSubmits.length") == 1
    a.keyboard.press("Control+z")
    a.wait_for_timeout(700)
    # Nothing was reverted meanwhile: not Ben's edit, not anything.
    assert db_doc(web_service, score_id)[1] == 1
    a.evaluate("window.releaseSubmits()")
    status(a, "Undone")
    doc, head = db_doc(web_service, score_id)
    assert head == 3 and [e.origin for e in web_service.edits(score_id)] == [
        "human",
        "human",
        "revert",
    ]
    assert web_service.edits(score_id)[-1].meta == {"reverts": [2]}
    assert bar_notes(doc) == [(ben_note, "E")]
    assert settled(a, 3) == settled(b, 3) == doc
    assert blocked.urls == []
