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


def geometry(page: Page, measure: str, staff: int, element: str) -> Any:
    """GEOMETRY once the page shows ``element`` (an edit's re-engraving may be under way)."""
    page.wait_for_function(
        "(id) => window.tutti.engraver.busy === null && document.getElementById(id)", arg=element
    )
    return page.evaluate(GEOMETRY, [measure, staff, element])


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
    g = geometry(page, "m1", 0, "m1.p1.r0")
    page.mouse.click(g["x"], g["lines"][2])
    settled(page)
    assert pitches(page, 0)[0] == "B4"
    # The bottom space is F: F sharp in D major. Click it at beat 2 (the rest after B4).
    rest = page.evaluate("window.tutti.doc.parts[0].bars.m1.voices['1'][1].id")
    g = geometry(page, "m1", 0, rest)
    page.mouse.click(g["x"] + 2, (g["lines"][3] + g["lines"][4]) / 2)
    settled(page)
    assert pitches(page, 0)[:2] == ["B4", "F#4"]
    # The bass staff: the top line is A3; a click above it by a space is B3.
    g = geometry(page, "m1", 1, "m1.p2.r0")
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
    g = geometry(page, "m1", 0, first)
    spacing = g["lines"][1] - g["lines"][0]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - spacing * 0.5)
    page.mouse.move(x, y - spacing)
    page.mouse.up()
    settled(page)
    assert pitches(page, 0)[:2] == ["D5", "F#4"]
    assert not ana.errors and not ben.errors, ana.errors + ben.errors


def test_box_measure_and_part_selection(make_user: Any) -> None:
    ana = make_user("boxer")
    score_id = new_shared_score(ana, [], measures=4)
    page = ana.open(score_id)
    click_id(page, "m1.p1.r0")
    page.keyboard.press("n")
    page.keyboard.press("5")
    for key in "cdefga":
        page.keyboard.press(key)
    page.keyboard.press("Escape")
    doc = settled(page)
    m1 = [e["id"] for e in doc["parts"][0]["bars"]["m1"]["voices"]["1"]]
    page.wait_for_function("window.tutti.engraver.busy === null")
    heads = [page.locator(f'#score [id="{e["notes"][0]["id"]}"] .notehead').first.bounding_box()
             for e in doc["parts"][0]["bars"]["m1"]["voices"]["1"][:2]]  # fmt: skip
    assert all(heads)
    # A rectangle dragged over empty paper around the first two notes selects just them.
    left = heads[0]["x"] - 6  # type: ignore[index]
    right = heads[1]["x"] + heads[1]["width"] + 4  # type: ignore[index]
    first_note = doc["parts"][0]["bars"]["m1"]["voices"]["1"][0]["notes"][0]["id"]
    g = geometry(page, "m1", 0, first_note)
    top, bottom = g["lines"][0] - 30, g["lines"][4] + 30
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move((left + right) / 2, (top + bottom) / 2)
    page.mouse.move(right, bottom)
    page.mouse.up()
    assert page.evaluate("window.tutti.state.selection") == m1[:2]
    # A click on an empty spot of a bar selects that bar of that part.
    m2 = [e["id"] for e in doc["parts"][0]["bars"]["m2"]["voices"]["1"]]
    g2 = page.evaluate(GEOMETRY, ["m2", 0, m2[-1]])
    page.mouse.click(g2["x"] + 30, (g2["lines"][1] + g2["lines"][2]) / 2)
    assert page.evaluate("window.tutti.state.selection") == m2
    # Select the whole part from the menu.
    page.select_option('select[data-menu="score"]', "select-part")
    everything = [e["id"] for m in doc["measures"]
                  for e in doc["parts"][0]["bars"][m["id"]]["voices"]["1"]]  # fmt: skip
    assert sorted(page.evaluate("window.tutti.state.selection")) == sorted(everything)
    assert not ana.errors, ana.errors


def test_the_input_cursor_shows_where_the_next_note_goes(make_user: Any) -> None:
    ana = make_user("cursor")
    score_id = new_shared_score(ana, [], measures=2)
    page = ana.open(score_id)
    assert page.is_hidden("#input-cursor")
    click_id(page, "m1.p1.r0")
    page.keyboard.press("n")
    page.keyboard.press("5")
    page.wait_for_selector("#input-cursor", state="visible")

    def cursor_x() -> float:
        page.wait_for_function("window.tutti.engraver.busy === null")
        page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        box = page.locator("#input-cursor").bounding_box()
        assert box
        return float(box["x"])

    # First at the whole-bar rest (engraved mid-bar), then after each note written.
    whole_rest = page.locator('#score [id="m1.p1.r0"]').bounding_box()
    assert whole_rest and abs(cursor_x() - (whole_rest["x"] - 4)) < 3
    page.keyboard.press("c")
    settled(page)
    after_one = cursor_x()
    # It moved to the rest after the new C4: just before that rest's left edge.
    rest = page.evaluate("window.tutti.doc.parts[0].bars.m1.voices['1'][1].id")
    rest_left = page.locator(f'#score [id="{rest}"]').bounding_box()["x"]  # type: ignore[index]
    assert abs(after_one - (rest_left - 4)) < 3
    # Over the treble staff, not the bass one below it.
    g = geometry(page, "m1", 0, rest)
    box = page.locator("#input-cursor").bounding_box()
    assert box and box["y"] < g["lines"][0] and box["y"] + box["height"] > g["lines"][4]
    page.keyboard.press("Escape")
    assert page.is_hidden("#input-cursor")
    assert not ana.errors, ana.errors
