"""Notation entered in one browser, seen engraved in a collaborator's: articulations and
ornaments from the keyboard (Shift+S in note input), the palette and the Marks menu."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import Blocked, click_id, new_shared_score, settled

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("TUTTI_SCREENSHOTS", "/tmp/tutti-screenshots"))


def voice(page: Page, measure: str = "m1") -> list[dict[str, Any]]:
    return list(page.evaluate("m => window.tutti.doc.parts[0].bars[m].voices['1']", measure))


def drawn(page: Page, selector: str, timeout: float = 3000) -> None:
    page.wait_for_function(
        "s => document.querySelector(s)", arg=f"#score {selector}", timeout=timeout
    )


def test_marks_from_keyboard_palette_and_menu_appear_engraved_for_the_other_user(
    make_user: Any, blocked: Blocked
) -> None:
    alice, bob = make_user("marks_a"), make_user("marks_b")
    score_id = new_shared_score(alice, [bob])
    a, b = alice.open(score_id), bob.open(score_id)
    click_id(a, "m1.p1.r0")
    a.keyboard.press("n")
    for key in "cdeg":
        a.keyboard.press(key)
    a.keyboard.press("Shift+S")  # note input: on the note just written (G)
    a.keyboard.press("Escape")
    notes = [e["notes"][0]["id"] for e in voice(a)]
    click_id(a, notes[0])
    a.click('[data-cmd="mark"][data-mark="accent"]')  # the palette
    click_id(a, notes[1])
    a.select_option('select[data-menu="mark"]', "trill")  # the Marks menu
    click_id(a, notes[2])
    a.keyboard.press("Shift+N")  # tenuto outside note input
    doc = settled(a, 8)
    marks = [e.get("marks") for e in doc["parts"][0]["bars"]["m1"]["voices"]["1"]]
    assert marks == [{"accent": True}, {"trill": True}, {"tenuto": True}, {"staccato": True}]
    # Bob sees each mark drawn on its note, and the trill above the second.
    for nid in (notes[0], notes[2], notes[3]):
        drawn(b, f'[id="{nid}"] .artic')
    drawn(b, ".trill")
    assert settled(b, 8)["parts"] == doc["parts"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.locator("#score").screenshot(path=str(SHOTS / "marks-collaborator.png"))
    # Pressed again, the palette takes the accent off, for Bob too.
    click_id(a, notes[0])
    a.click('[data-cmd="mark"][data-mark="accent"]')
    b.wait_for_function(
        'id => !document.querySelector(`#score [id="${id}"] .artic`)', arg=notes[0], timeout=3000
    )
    assert alice.errors == [] and bob.errors == []
    assert blocked.urls == []


def spanner_ids(page: Page) -> dict[str, tuple[str, str, str]]:
    spanners = page.evaluate("window.tutti.doc.spanners || []")
    return {sp["id"]: (sp["kind"], sp["start"], sp["end"]) for sp in spanners}


def test_slur_and_hairpins_from_keyboard_palette_and_menu_engraved_for_the_other_user(
    make_user: Any, blocked: Blocked
) -> None:
    alice, bob = make_user("lines_a"), make_user("lines_b")
    score_id = new_shared_score(alice, [bob])
    a, b = alice.open(score_id), bob.open(score_id)
    click_id(a, "m1.p1.r0")
    a.keyboard.press("n")
    for key in "cdefgabc":
        a.keyboard.press(key)
    a.keyboard.press("Escape")
    first = [e["notes"][0]["id"] for e in voice(a, "m1")]
    second = [e["notes"][0]["id"] for e in voice(a, "m2")]
    # Keyboard: a slur over C..F (shift-click extends the selection), with S.
    click_id(a, first[0])
    click_id(a, first[3], ["Shift"])
    a.keyboard.press("s")
    # Palette: a crescendo over G..C in bar 2; the Lines menu: an 8va over the same notes.
    click_id(a, second[0])
    click_id(a, second[3], ["Shift"])
    a.click('[data-cmd="spanner"][data-kind="crescendo"]')
    a.select_option('select[data-menu="spanner"]', "8va")
    a.keyboard.press(">")  # and > from the keyboard: a diminuendo there too
    doc = settled(a, 12)
    kinds = sorted(kind for kind, _, _ in spanner_ids(a).values())
    assert kinds == ["8va", "crescendo", "diminuendo", "slur"]
    for selector in (".slur", ".hairpin", ".octave"):
        drawn(b, selector)
    assert settled(b, 12).get("spanners") == doc["spanners"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.locator("#score").screenshot(path=str(SHOTS / "lines-collaborator.png"))
    # Bob types over the slur's last note: Alice sees the slur now end on his note.
    slur_id = next(i for i, (k, _, _) in spanner_ids(b).items() if k == "slur")
    click_id(b, first[3])
    b.keyboard.press("n")
    b.keyboard.press("a")
    b.keyboard.press("Escape")
    bobs = voice(b, "m1")[3]["id"]
    a.wait_for_function(
        "([s, e]) => (window.tutti.doc.spanners || []).some(x => x.id === s && x.end === e)",
        arg=[slur_id, bobs],
        timeout=3000,
    )
    assert alice.errors == [] and bob.errors == []
    assert blocked.urls == []


def test_a_repeat_with_endings_from_the_menu_is_engraved_for_the_other_user_and_played(
    make_user: Any, blocked: Blocked
) -> None:
    alice, bob = make_user("form_a"), make_user("form_b")
    score_id = new_shared_score(alice, [bob], measures=4)
    a, b = alice.open(score_id), bob.open(score_id)
    click_id(a, "m1.p1.r0")
    a.keyboard.press("n")
    a.keyboard.press("7")  # whole notes: C | D | E | F
    for key in "cdef":
        a.keyboard.press(key)
    a.keyboard.press("Escape")
    bars = [voice(a, f"m{i}")[0]["notes"][0]["id"] for i in range(1, 5)]
    click_id(a, bars[1])
    a.select_option('select[data-menu="measure"]', "ending-1")
    a.select_option('select[data-menu="measure"]', "repeat-end")
    a.click("#dialog button[value='ok']")
    click_id(a, bars[2])
    a.select_option('select[data-menu="measure"]', "ending-2")
    click_id(a, bars[3])
    a.select_option('select[data-menu="measure"]', "barline-final")
    doc = settled(a, 8)
    form = [{k: v for k, v in m.items() if k in ("ending", "repeat_end", "barline")}
            for m in doc["measures"]]  # fmt: skip
    assert form == [{}, {"ending": [1], "repeat_end": 2}, {"ending": [2]}, {"barline": "final"}]
    drawn(b, ".ending")
    b.wait_for_function("document.querySelectorAll('#score .ending').length === 2")
    assert settled(b, 8)["measures"] == doc["measures"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.locator("#score").screenshot(path=str(SHOTS / "form-collaborator.png"))
    # Bob's playback goes C D | C E F: back at the repeat, the first ending skipped.
    played = b.evaluate(
        """async () => {
          const { schedule } = await import('/static/js/playback/player.js');
          return schedule(window.tutti.doc).notes.filter((n) => n.midis.length)
            .map((n) => n.midis[0]);
        }"""
    )
    assert played == [60, 62, 60, 64, 65]
    assert alice.errors == [] and bob.errors == []
    assert blocked.urls == []
