"""Two people in one score, in two real browser contexts against the real server.

Notes typed by one appear engraved in the other's page within a second; concurrent
typing converges to the database state; presence shows; an offline user's queued
edits arrive after reconnect; undo touches only one's own edits; playback runs.
Every test also checks that no request left the loopback interface.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page

from server.editing import EditLog

from .conftest import Blocked, click_id, new_shared_score, settled

pytestmark = pytest.mark.browser


def events(page: Page, part: int, measure: str) -> list[dict[str, Any]]:
    return list(
        page.evaluate("([p, m]) => window.tutti.doc.parts[p].bars[m].voices['1']", [part, measure])
    )


def engraved(page: Page, ids: list[str], timeout: float = 1000) -> None:
    page.wait_for_function(
        'ids => ids.every(id => document.querySelector(`#score [id="${id}"]`))',
        arg=ids,
        timeout=timeout,
    )


def db_doc(service: EditLog, score_id: str) -> tuple[Any, int]:
    service.forget_cache()
    return service.load(score_id)


def test_typed_notes_appear_engraved_for_the_other_user_within_a_second(
    make_user: Any, blocked: Blocked
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    score_id = new_shared_score(alice, [bob])
    a, b = alice.open(score_id), bob.open(score_id)
    click_id(a, "m1.p1.r0")
    a.keyboard.press("n")
    for key in "cdeg":
        a.keyboard.press(key)
    typed = [e["notes"][0]["id"] for e in events(a, 0, "m1")]
    assert [e["notes"][0]["step"] for e in events(a, 0, "m1")] == list("CDEG")
    started = time.monotonic()
    engraved(b, typed, timeout=1000)
    assert time.monotonic() - started < 1.0
    # Bob's page holds the very same document, and the log has the four edits.
    assert settled(b, 4) == settled(a, 4)
    assert alice.errors == [] and bob.errors == []
    assert blocked.urls == []


def test_presence_lists_both_and_outlines_the_other_selection(
    make_user: Any, blocked: Blocked
) -> None:
    alice, bob = make_user("alice2"), make_user("bob2")
    score_id = new_shared_score(alice, [bob])
    a, b = alice.open(score_id), bob.open(score_id)
    for page in (a, b):
        page.wait_for_function("document.querySelectorAll('#presence li').length === 2")
    names = b.eval_on_selector_all("#presence li", "els => els.map(e => e.dataset.user)")
    assert sorted(names) == ["alice2", "bob2"]
    click_id(a, "m2.p2.r0")
    colour = a.evaluate("window.tutti.user.colour")
    b.wait_for_function(
        "c => document.getElementById('presence-style').textContent.includes('m2.p2.r0')"
        " && document.getElementById('presence-style').textContent.includes(c)",
        arg=colour,
        timeout=2000,
    )
    # The outline is really applied to the engraved rest in Bob's page.
    flt = b.eval_on_selector('#score [id="m2.p2.r0"]', "el => getComputedStyle(el).filter")
    assert "drop-shadow" in flt
    assert blocked.urls == []


def test_simultaneous_typing_converges_to_the_database_state(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    alice, bob = make_user("alice3"), make_user("bob3")
    score_id = new_shared_score(alice, [bob])
    a, b = alice.open(score_id), bob.open(score_id)
    # Both start typing in the same bar of the same part, interleaved keystrokes.
    click_id(a, "m1.p1.r0")
    click_id(b, "m1.p1.r0")
    a.keyboard.press("n")
    b.keyboard.press("n")
    b.keyboard.press("4")  # Bob types eighths over Alice's quarters
    for ka, kb in zip("cdefgabc", "gfedcbag", strict=True):
        a.keyboard.press(ka)
        b.keyboard.press(kb)
    doc, head = db_doc(web_service, score_id)
    head = max(head, 16)
    doc_a, doc_b = settled(a, head), settled(b, head)
    doc, head = db_doc(web_service, score_id)
    assert head == 16
    assert doc_a == doc_b == doc
    assert blocked.urls == []


def test_edits_made_offline_are_sent_after_reconnect(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    alice, bob = make_user("alice4"), make_user("bob4")
    score_id = new_shared_score(alice, [bob])
    a, b = alice.open(score_id), bob.open(score_id)
    bob.context.set_offline(True)
    b.wait_for_selector("#offline-banner:not([hidden])", timeout=5000)
    click_id(b, "m3.p2.r0")
    b.keyboard.press("n")
    for key in "cea":
        b.keyboard.press(key)
    assert b.text_content("#queued-count") == "3"
    click_id(a, "m3.p1.r0")
    a.keyboard.press("n")
    a.keyboard.press("f")
    settled(a, 1)
    offline_notes = [e["notes"][0]["id"] for e in events(b, 1, "m3")[:3]]
    bob.context.set_offline(False)
    doc_b = settled(b, 4)
    engraved(a, offline_notes, timeout=5000)
    doc_a = settled(a, 4)
    doc, head = db_doc(web_service, score_id)
    assert head == 4
    assert doc_a == doc_b == doc
    assert [e["notes"][0]["step"] for e in doc["parts"][1]["bars"]["m3"]["voices"]["1"][:3]] == [
        "C",
        "E",
        "A",
    ]
    assert b.is_hidden("#offline-banner")
    assert blocked.urls == []


def test_undo_reverts_only_my_own_edit(make_user: Any, blocked: Blocked) -> None:
    alice, bob = make_user("alice5"), make_user("bob5")
    score_id = new_shared_score(alice, [bob])
    a, b = alice.open(score_id), bob.open(score_id)
    click_id(a, "m1.p2.r0")
    a.keyboard.press("n")
    a.keyboard.press("c")
    click_id(b, "m1.p1.r0")
    b.keyboard.press("n")
    b.keyboard.press("e")
    settled(a, 2)
    settled(b, 2)
    a.keyboard.press("Escape")
    a.keyboard.press("Control+z")
    doc_a = settled(a, 3)
    doc_b = settled(b, 3)
    assert doc_a == doc_b
    assert all(not e["notes"] for e in doc_a["parts"][1]["bars"]["m1"]["voices"]["1"])
    assert doc_a["parts"][0]["bars"]["m1"]["voices"]["1"][0]["notes"][0]["step"] == "E"
    a.keyboard.press("Control+y")
    doc_a = settled(a, 4)
    assert doc_a["parts"][1]["bars"]["m1"]["voices"]["1"][0]["notes"][0]["step"] == "C"
    assert blocked.urls == []


def test_playback_runs_and_the_marker_moves(make_user: Any, blocked: Blocked) -> None:
    alice = make_user("alice6")
    score_id = new_shared_score(alice, [], measures=2)
    a = alice.open(score_id)
    click_id(a, "m1.p1.r0")
    a.keyboard.press("n")
    a.keyboard.press("4")
    for key in "cdefgabc":
        a.keyboard.press(key)
    a.keyboard.press("Escape")

    first = events(a, 0, "m1")[0]["id"]
    a.evaluate("id => window.tutti.select([id])", first)
    a.keyboard.press(" ")
    a.wait_for_function("window.tutti.playback.playing", timeout=5000)
    a.wait_for_function("window.tutti.playback.markerMoves >= 3", timeout=5000)
    position = a.evaluate("window.tutti.playback.position")
    a.wait_for_function(f"window.tutti.playback.position > {position}", timeout=3000)
    marker = a.evaluate("window.tutti.playback.marker")
    assert marker and all(isinstance(x, str) for x in marker)
    assert a.evaluate("window.tutti.playback.instrument") == "piano samples"
    assert a.evaluate("document.getElementById('playing-style').textContent").count("fill") == 1
    a.keyboard.press(" ")
    a.wait_for_function("!window.tutti.playback.playing", timeout=3000)
    # The schedule follows the score's tempo map: halving the tempo doubles the length.
    schedule = """async () => {
        const { schedule } = await import('/static/js/playback/player.js');
        const s = schedule(window.tutti.doc);
        const sounding = s.notes.filter((n) => n.midis.length).length;
        return [s.total, sounding, new Set(s.notes.map((n) => n.part)).size];
    }"""
    assert a.evaluate(schedule) == [4, 8, 2]  # 2 bars of 4/4 at 120; both parts scheduled
    a.evaluate("window.tutti.select([])")
    a.select_option('select[data-menu="measure"]', "tempo")
    a.fill('#dialog input[name="tempo"]', "60")
    a.click('#dialog button[value="ok"]')
    a.wait_for_function("window.tutti.doc.measures[0].tempo === 60")
    assert a.evaluate(schedule)[0] == 8
    assert blocked.urls == []


def test_a_viewer_sees_edits_but_cannot_make_them(make_user: Any, blocked: Blocked) -> None:
    owner, viewer = make_user("owner7"), make_user("viewer7")
    score_id = str(owner.api("post", "/api/scores", {"title": "Read me", "measures": 2})["id"])
    owner.api("post", f"/api/scores/{score_id}/members", {"name": viewer.name, "role": "viewer"})
    o, v = owner.open(score_id), viewer.open(score_id)
    v.wait_for_function("document.getElementById('status-line').textContent.includes('view')")
    click_id(v, "m1.p1.r0")
    v.keyboard.press("n")
    v.keyboard.press("c")
    # The server refuses it; the viewer's page takes it back out and says so.
    v.wait_for_function(
        "window.tutti.state.rejected.length === 1 && window.tutti.unconfirmed === 0"
    )
    assert all(not e["notes"] for e in events(v, 0, "m1"))
    click_id(o, "m1.p1.r0")
    o.keyboard.press("n")
    o.keyboard.press("e")
    engraved(v, [events(o, 0, "m1")[0]["notes"][0]["id"]], timeout=2000)
    assert settled(v, 1) == settled(o, 1)
    assert blocked.urls == []
