"""Screen-reader support in a real browser: the ARIA live region says the note under the
cursor, "where am I", a collaborator's change with their name; Ctrl+A selects the score."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import click_id, new_shared_score, settled

pytestmark = pytest.mark.browser


def spoken(page: Page, words: str) -> str:
    page.wait_for_function(
        "(w) => document.getElementById('announcer').textContent.includes(w)", arg=words
    )
    return str(page.text_content("#announcer"))


def test_the_live_region_follows_the_cursor_and_names_who_changed_what(make_user: Any) -> None:
    ana, ben = make_user("reader"), make_user("writer")
    score_id = new_shared_score(ana, [ben], key=2)
    page = ana.open(score_id)
    other = ben.open(score_id)
    assert page.get_attribute("#announcer", "aria-live") == "polite"

    click_id(page, "m1.p1.r0")
    page.keyboard.press("n")
    page.keyboard.press("5")
    page.keyboard.press("f")  # F sharp in D major
    said = spoken(page, "F sharp 4")
    assert said == "F sharp 4, quarter note; measure 1, beat 1, Upper"
    page.keyboard.press("Escape")
    page.keyboard.press("Alt+w")
    assert "normal mode, Duet" in spoken(page, "normal mode")

    # Ben writes in the same bar: Ana hears who changed what, where.
    settled(other, page.evaluate("window.tutti.version"))
    rest = other.evaluate("window.tutti.doc.parts[0].bars.m1.voices['1'][1].id")
    click_id(other, rest)
    other.keyboard.press("a")  # a letter on a rest writes a note there
    settled(other)
    assert "writer: measure 1, Upper changed" in spoken(page, "writer:")

    # Ctrl+A selects every note and rest (not the page's text), and says how many.
    settled(page, other.evaluate("window.tutti.version"))
    page.keyboard.press("Control+a")
    count = page.evaluate(
        "window.tutti.doc.parts.flatMap(p => Object.values(p.bars))"
        ".flatMap(b => Object.values(b.voices)).flat().length"
    )
    assert f"{count} notes and rests selected" in spoken(page, "selected")
    assert page.evaluate("String(window.getSelection())") == ""
    assert not ana.errors and not ben.errors, ana.errors + ben.errors


def test_panels_sit_beside_the_score_and_who_wrote_what_is_on_screen(make_user: Any) -> None:
    ana, ben = make_user("sider"), make_user("sider2")
    score_id = new_shared_score(ana, [ben])
    page = ana.open(score_id)
    other = ben.open(score_id)
    for who, letters, rest in ((page, "cde", "m1.p1.r0"), (other, "fg", "m2.p1.r0")):
        click_id(who, rest)
        who.keyboard.press("n")
        who.keyboard.press("5")
        for letter in letters:
            who.keyboard.press(letter)
        who.keyboard.press("Escape")
        settled(who)
    settled(page, other.evaluate("window.tutti.version"))
    where = (
        "() => { const r = document.getElementById('score-area').getBoundingClientRect();"
        " return [r.left + scrollX, r.top + scrollY, r.width]; }"
    )
    before = page.evaluate(where)
    score_box = page.locator("#score-area").bounding_box()
    # Opening every panel moves the score not a pixel: they live in the side column.
    for panel in ("#helper-panel", "#history-panel", "#provenance-panel"):
        page.click(f"{panel} > summary")
    page.wait_for_selector("#provenance-panel table")
    assert page.evaluate(where) == before
    side = page.locator("#side-panel").bounding_box()
    assert score_box and side and side["x"] >= score_box["x"] + score_box["width"]
    rows = page.eval_on_selector_all(
        "#provenance-panel tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    # Ana wrote three notes, Ben two; all still standing.
    assert [r[0] for r in rows] == ["sider", "sider2"]
    assert [r[2:4] for r in rows] == [["3", "3"], ["2", "2"]]
    page.screenshot(path="/tmp/tutti-side-panels.png")
    assert not ana.errors and not ben.errors, ana.errors + ben.errors
