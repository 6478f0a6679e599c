"""Comments in two real browsers against the real server: a commenter comments on a note,
Ana sees the thread and its marker live, moves the note (changes its pitch) and the
comment follows it; clicking the thread selects the note; Ana deletes the note and the
thread shows detached in both pages; the commenter cannot edit the score. Screenshots
of the panel and the marker are saved (docs/screenshots/comments-*.png)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from server.editing import EditLog

from .conftest import Blocked, click_id, settled

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _thread(page: Page) -> dict[str, Any]:
    """The first thread row of the panel as the page shows it."""
    return dict(
        page.eval_on_selector(
            "#comment-threads .comment-thread",
            "li => ({state: li.dataset.state, id: Number(li.dataset.threadId),"
            " anchor: li.querySelector('.comment-anchor').textContent,"
            " body: li.querySelector('.comment-body').textContent})",
        )
    )


def _marker_near(page: Page, element_id: str) -> bool:
    """A comment marker sits at the top right of the engraved element (within 30 px)."""
    return bool(
        page.evaluate(
            """id => {
              const target = document.querySelector(`#score [id="${id}"]`);
              const marker = document.querySelector('#comment-markers .comment-marker');
              if (!target || !marker) return false;
              const t = target.getBoundingClientRect(), m = marker.getBoundingClientRect();
              return Math.abs(m.left - t.right) < 30 && Math.abs(m.bottom - t.top) < 30;
            }""",
            element_id,
        )
    )


def test_a_commenters_note_comment_is_live_follows_the_note_and_detaches(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, cora = make_user("ana-c"), make_user("cora-c")
    score_id = str(ana.api("post", "/api/scores", {"title": "Chorale", "measures": 4})["id"])
    ana.api("post", f"/api/scores/{score_id}/members", {"name": cora.name, "role": "commenter"})
    a = ana.open(score_id)
    click_id(a, "m2.p1.r0")
    a.keyboard.press("n")
    a.keyboard.press("e")
    a.keyboard.press("Escape")
    doc = settled(a, 1)
    note = doc["parts"][0]["bars"]["m2"]["voices"]["1"][0]
    event_id, note_id = note["id"], note["notes"][0]["id"]
    assert note["notes"][0]["step"] == "E"

    c = cora.open(score_id)
    c.wait_for_function("window.tutti.collab.role === 'commenter'")
    assert "comment on this score but not edit" in c.inner_text("#status-line")
    click_id(c, note_id)
    assert c.evaluate("window.tutti.state.selection") == [event_id]
    c.fill("#comment-text", "@ana-c should this E be an F?")
    c.click("#comment-post")

    # Ana sees the thread and its marker at once, without reloading.
    a.wait_for_selector("#comment-threads .comment-thread", timeout=3000)
    assert _thread(a) == {
        "state": "attached", "id": _thread(c)["id"], "anchor": "note in m. 2, Piano",
        "body": "@ana-c should this E be an F?",
    }  # fmt: skip
    a.wait_for_function(
        "id => document.querySelector('#comment-markers .comment-marker') &&"
        " document.querySelector(`#score [id='${id}']`)",
        arg=note_id,
    )
    assert _marker_near(a, note_id)
    a.wait_for_function("document.getElementById('mentions').textContent === '@ 1'")
    SCREENSHOTS.mkdir(exist_ok=True)
    a.locator("#comments-panel").screenshot(path=str(SCREENSHOTS / "comments-panel.png"))
    a.locator("#score-area").screenshot(path=str(SCREENSHOTS / "comments-marker.png"))

    # Ana moves the note up two semitones (E -> F -> F#): the comment follows it.
    marker_top = a.eval_on_selector("#comment-markers .comment-marker", "m => m.offsetTop")
    click_id(a, note_id)
    a.keyboard.press("ArrowUp")
    a.keyboard.press("ArrowUp")
    doc = settled(a, 3)
    moved = doc["parts"][0]["bars"]["m2"]["voices"]["1"][0]
    assert moved["id"] == event_id
    assert moved["notes"][0] == {**note["notes"][0], "step": "F", "alter": 1}
    a.wait_for_function(
        "top => { const m = document.querySelector('#comment-markers .comment-marker');"
        " return m && m.offsetTop < top; }",
        arg=marker_top,
        timeout=3000,
    )  # higher note, higher marker
    assert _marker_near(a, note_id)
    c.wait_for_function("window.tutti.version >= 3")
    assert _thread(c)["state"] == _thread(a)["state"] == "attached"
    assert _thread(c)["anchor"] == "note in m. 2, Piano"
    c.wait_for_function(f"() => !!document.querySelector('#score [id=\"{note_id}\"]')")
    c.wait_for_function("window.tutti.engraver.busy === null")
    assert _marker_near(c, note_id)

    # Clicking the thread selects its note (Cora's page).
    click_id(c, "m1.p1.r0")
    c.click("#comment-threads .comment-thread .comment-head")
    assert c.evaluate("window.tutti.state.selection") == [event_id]

    # The commenter cannot edit: her keystroke is refused and the log does not move.
    c.keyboard.press("ArrowUp")
    c.wait_for_function("window.tutti.state.rejected.length === 1", timeout=5000)
    settled(c)
    assert web_service.head_seq(score_id) == 3

    # Ana deletes the note: the thread stays, shown detached, and its marker goes.
    click_id(a, note_id)
    a.keyboard.press("Delete")
    settled(a, 4)
    for page in (a, c):
        page.wait_for_function(
            "document.querySelector('#comment-threads .comment-thread').dataset.state"
            " === 'detached'",
            timeout=3000,
        )
        assert _thread(page)["anchor"] == "detached (was m. 2)"
        assert _thread(page)["body"] == "@ana-c should this E be an F?"
        page.wait_for_function(
            "document.querySelectorAll('#comment-markers .comment-marker').length === 0"
        )
    a.locator("#comments-panel").screenshot(path=str(SCREENSHOTS / "comments-detached.png"))
    assert ana.errors == [] and cora.errors == []
    assert blocked.urls == []
