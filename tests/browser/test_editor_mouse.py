"""Mouse entry in a real browser: in note input, a click on a staff line or space writes a
note of the chosen duration there (key signature applied), seen by a collaborator."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import click_id, new_shared_score, settled

pytestmark = pytest.mark.browser

# Screen geometry of measure m1's staff n: its lines' y and the left edge of an element.
GEOMETRY = """([measure, staff, element]) => {
  const m = document.getElementById(measure);
  const s = m.querySelectorAll(':scope > g.staff')[staff];
  const lines = [...s.children].filter((e) => e.tagName === 'path').slice(0, 5)
    .map((l) => { const r = l.getBoundingClientRect(); return r.top + r.height / 2; });
  const el = document.getElementById(element).getBoundingClientRect();
  return { lines, x: el.left + el.width / 2 };
}"""


def pitches(page: Page, part: int) -> list[str]:
    voice = page.evaluate("(p) => window.tutti.doc.parts[p].bars.m1.voices['1']", part)
    out = []
    for e in voice:
        names = [f"{n['step']}{'#' * max(n['alter'], 0)}{'b' * max(-n['alter'], 0)}{n['octave']}"
                 for n in e["notes"]]  # fmt: skip
        out.append("+".join(names) or "rest")
    return out


def test_a_click_on_a_staff_line_or_space_writes_that_note(make_user: Any) -> None:
    ana, ben = make_user("mouser"), make_user("watcher")
    score_id = new_shared_score(ana, [ben], key=2)  # D major
    page = ana.open(score_id)
    other = ben.open(score_id)
    click_id(page, "m1.p1.r0")
    page.keyboard.press("n")
    page.keyboard.press("5")  # quarter notes
    # The middle line of the treble staff is B4; click it over the whole-bar rest.
    g = page.evaluate(GEOMETRY, ["m1", 0, "m1.p1.r0"])
    page.mouse.click(g["x"], g["lines"][2])
    settled(page)
    assert pitches(page, 0)[0] == "B4"
    # The bottom space is F: F sharp in D major. Click it at beat 2 (the rest after B4).
    rest = page.evaluate("window.tutti.doc.parts[0].bars.m1.voices['1'][1].id")
    g = page.evaluate(GEOMETRY, ["m1", 0, rest])
    page.mouse.click(g["x"] + 2, (g["lines"][3] + g["lines"][4]) / 2)
    settled(page)
    assert pitches(page, 0)[:2] == ["B4", "F#4"]
    # The bass staff: the top line is A3; a click above it by a space is B3.
    g = page.evaluate(GEOMETRY, ["m1", 1, "m1.p2.r0"])
    spacing = g["lines"][1] - g["lines"][0]
    page.mouse.click(g["x"], g["lines"][0] - spacing / 2)
    doc = settled(page)
    assert pitches(page, 1)[0] == "B3"
    settled(other, page.evaluate("window.tutti.version"))
    assert pitches(other, 0)[:2] == ["B4", "F#4"] and pitches(other, 1)[0] == "B3"
    # Outside note input a click selects, as before; nothing is written.
    page.keyboard.press("Escape")
    before = page.evaluate("window.tutti.version")
    first = doc["parts"][0]["bars"]["m1"]["voices"]["1"][0]["notes"][0]["id"]
    click_id(page, first)
    assert page.evaluate("window.tutti.version") == before
    # Dragging the B4 up a line spacing moves it two staff positions: D5 (D major: D).
    box = page.locator(f'#score [id="{first}"] .notehead').first.bounding_box()
    assert box
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    g = page.evaluate(GEOMETRY, ["m1", 0, first])
    spacing = g["lines"][1] - g["lines"][0]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - spacing * 0.5)
    page.mouse.move(x, y - spacing)
    page.mouse.up()
    settled(page)
    assert pitches(page, 0)[:2] == ["D5", "F#4"]
    assert not ana.errors and not ben.errors, ana.errors + ben.errors
