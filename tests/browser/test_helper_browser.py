"""The voicing helper in two real browsers against the real server: off until the person
turns it on; a request shows a marked suggestion while the score (document and engraving)
stays as it was; accepting adds notes attributed to the accepter and marked as helper
material; one click on Revert restores the score in both people's views."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import Page

from server.editing import EditLog

from .conftest import Blocked, new_shared_score, settled

pytestmark = pytest.mark.browser

SATB = [
    {"name": "Soprano", "clef": "treble"},
    {"name": "Alto", "clef": "treble"},
    {"name": "Tenor", "clef": "treble8vb"},
    {"name": "Bass", "clef": "bass"},
]
SYMBOLS = [
    {"op": "set_chord_symbol", "part": "p1", "measure": m, "offset": o, "symbol": s, "id": i}
    for m, o, s, i in (("m1", "0", "C", "hx1"), ("m1", "1/2", "G7", "hx2"), ("m2", "0", "C", "hx3"))
]


def engraved_notes(page: Page) -> int:
    page.wait_for_function("window.tutti.engraver.busy === null", timeout=10000)
    return int(page.evaluate("document.querySelectorAll('#score g.note').length"))


def test_helper_suggest_accept_and_revert_in_two_browsers(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, ben = make_user("helperana"), make_user("helperben")
    score_id = new_shared_score(ana, [ben], parts=SATB, measures=2)
    a, b = ana.open(score_id), ben.open(score_id)
    a.evaluate("ops => window.tutti.collab.submit(ops)", SYMBOLS)
    settled(a, 1)
    settled(b, 1)
    for page in (a, b):
        page.evaluate("window.tutti.helper.ready")
        page.click("#helper-panel > summary")

    # Off until the person (and, for this score, its owner) turns it on.
    assert a.get_attribute("#helper-reason", "data-reason") == "helper_disabled"
    assert a.is_hidden("#helper-request") and b.is_hidden("#helper-score-switch")
    a.check("#helper-score-switch")
    a.wait_for_function(
        "document.getElementById('helper-reason').dataset.reason === 'helper_not_enabled_for_user'"
    )
    assert a.is_hidden("#helper-request")
    a.check("#helper-opt-in")
    a.wait_for_selector("#helper-request", state="visible")
    assert a.get_attribute("#helper-panel", "data-available") == "true"
    b.wait_for_function(  # Ben has not opted in: his panel says why
        "document.getElementById('helper-reason').dataset.reason === 'helper_not_enabled_for_user'"
    )

    doc_before = settled(a, 1)
    notes_before = engraved_notes(a)
    a.fill("#helper-first", "1")
    a.fill("#helper-last", "2")
    a.click("#helper-ask")
    a.wait_for_selector("#helper-view", state="visible")
    assert a.inner_text("#helper-view .helper-label") == "Helper suggestion — not in the score"
    a.wait_for_function("window.tutti.helper.preview.drawnCount() === 12", timeout=15000)
    colour = a.evaluate(
        "getComputedStyle(document.querySelector("
        '`#helper-preview [id="${window.tutti.helper.preview.noteIds[0]}"]`)).fill'
    )
    assert colour == "rgb(194, 24, 91)"  # the first alternative's helper colour
    if os.environ.get("TUTTI_HELPER_SCREENSHOT"):  # a picture of the panel, for the docs
        a.screenshot(path=os.environ["TUTTI_HELPER_SCREENSHOT"], full_page=True)
    assert a.locator("#helper-explain li").count() >= 1
    # The score is untouched by requesting and browsing: same document, seq and engraving.
    assert settled(a, 1) == doc_before and a.evaluate("window.tutti.version") == 1
    assert engraved_notes(a) == notes_before
    # Ben sees it listed as pending, with who asked.
    b.wait_for_selector("#helper-list li[data-status='pending']", timeout=5000)
    assert "asked by helperana" in b.inner_text("#helper-list li")

    # Browse to the second alternative, tweak one note, accept.
    a.click("#helper-alts .helper-alt[data-index='1']")
    a.wait_for_function("window.tutti.helper.state.alt === 1")
    a.click("#helper-up")
    a.wait_for_function("window.tutti.helper.state.tweaks.length === 1")
    a.click("#helper-accept")
    doc_a = settled(a, 2)
    doc_b = settled(b, 2)
    assert doc_a == doc_b != doc_before
    a.wait_for_function(
        f"document.querySelectorAll('#score g.note').length === {notes_before + 12}"
    )
    b.wait_for_function(
        f"document.querySelectorAll('#score g.note').length === {notes_before + 12}"
    )
    edit = web_service.edit_at(score_id, 2)
    assert edit is not None and edit.origin == "helper" and edit.author_name == "helperana"
    assert edit.meta["accepted_by"] == "helperana" and edit.meta["tweaked"] is True
    # Marked as helper material, credited to the accepter (provenance endpoint and tint).
    provenance = ben.api("get", f"/api/scores/{score_id}/provenance")
    assert provenance["from_helper"] == 12
    assert provenance["from_helper_by_accepter"] == {"helperana": 12}
    some_note = next(iter(provenance["helper_notes"]))
    b.wait_for_function(
        "id => document.getElementById('helper-tint-style').textContent.includes(id)",
        arg=some_note,
        timeout=5000,
    )
    b.wait_for_selector("#helper-list li[data-status='accepted']", timeout=5000)

    # One click reverts it, in both views.
    a.click("#helper-revert")
    assert settled(a, 3) == doc_before
    assert settled(b, 3) == doc_before
    for page in (a, b):
        page.wait_for_function(
            f"document.querySelectorAll('#score g.note').length === {notes_before}"
        )
    b.wait_for_selector("#helper-list li[data-status='reverted']", timeout=5000)
    assert ana.errors == [] and ben.errors == []
    assert blocked.urls == []
