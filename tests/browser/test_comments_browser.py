"""Comments in two real browsers against the real server: a commenter comments on a note,
Ana sees the thread and its marker live, moves the note (changes its pitch) and the
comment follows it; clicking the thread selects the note; Ana deletes the note and the
thread shows detached in both pages; the commenter cannot edit the score. Screenshots
of the panel and the marker go to ``TUTTI_SCREENSHOTS_DIR`` (``docs/screenshots`` to
refresh the committed ``comments-*.png``), else to the test's temporary directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from server.editing import EditLog

from .conftest import Blocked, click_id, settled
from .test_security_browser import CspPage

pytestmark = pytest.mark.browser


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TUTTI_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
    make_user: Any, blocked: Blocked, web_service: EditLog, shots: Path
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
    a.locator("#comments-panel").screenshot(path=str(shots / "comments-panel.png"))
    a.locator("#score-area").screenshot(path=str(shots / "comments-marker.png"))

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

    # Clicking a marker selects its note and opens its thread (Ana's page).
    click_id(a, "m1.p1.r0")
    a.wait_for_function("window.tutti.engraver.busy === null")
    a.click("#comment-markers .comment-marker")
    assert a.evaluate("window.tutti.state.selection") == [event_id]
    assert a.locator("#comment-threads .comment-thread.open").count() == 1

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
    a.locator("#comments-panel").screenshot(path=str(shots / "comments-detached.png"))
    assert ana.errors == [] and cora.errors == []
    assert blocked.urls == []


def test_measure_and_part_comments_replies_and_resolving_show_live(
    make_user: Any, blocked: Blocked, shots: Path
) -> None:
    ana, cora, vic = make_user("ana-m"), make_user("cora-m"), make_user("vic-m")
    score_id = str(ana.api("post", "/api/scores", {"title": "Song", "measures": 4})["id"])
    ana.api("post", f"/api/scores/{score_id}/members", {"name": cora.name, "role": "commenter"})
    ana.api("post", f"/api/scores/{score_id}/members", {"name": vic.name, "role": "viewer"})
    a, c, v = ana.open(score_id), cora.open(score_id), vic.open(score_id)
    click_id(c, "m3.p1.r0")
    c.select_option("#comment-scope", "measures")
    c.fill("#comment-text", "bars 3: too busy")
    c.click("#comment-post")
    c.wait_for_selector("#comment-threads .comment-thread")
    c.select_option("#comment-scope", "part")
    c.fill("#comment-text", "the whole piano part <b>is</b> loud")
    c.click("#comment-post")
    a.wait_for_function(
        "document.querySelectorAll('#comment-markers .comment-marker').length === 2"
    )
    kinds = a.eval_on_selector_all(
        "#comment-markers .comment-marker", "ms => ms.map(m => m.dataset.kind).sort()"
    )
    assert kinds == ["measures", "part"]
    labels = a.eval_on_selector_all(
        "#comment-threads .comment-anchor", "ls => ls.map(l => l.textContent)"
    )
    assert labels == ["m. 3, Piano", "Piano"]
    # A viewer reads them live but has nothing to write with.
    v.wait_for_function(
        "document.querySelectorAll('#comment-threads .comment-thread').length === 2"
    )
    assert v.locator("#comment-form").is_hidden()
    assert (
        v.locator("#comment-threads .comment-resolve, #comment-threads .comment-delete").count()
        == 0
    )
    # Text stays text: no element was made from the comment.
    assert a.locator("#comment-threads b").count() == 0
    assert "<b>is</b>" in a.inner_text("#comment-threads")

    # Cora starts a reply; Ana's edits and comments arriving meanwhile do not wipe it.
    draft = c.locator("#comment-threads .comment-thread").nth(1).locator(".comment-reply-text")
    draft.click()
    c.keyboard.type("half a tho")
    click_id(a, "m4.p1.r0")
    a.keyboard.press("n")
    a.keyboard.press("g")
    a.keyboard.press("Escape")
    c.wait_for_function("window.tutti.version >= 1")

    # Ana replies and resolves the measure thread; Cora sees both at once.
    first = a.locator("#comment-threads .comment-thread").first
    first.locator(".comment-reply-text").fill("@cora-m agreed, thinning it")
    first.locator(".comment-reply").click()
    c.wait_for_function(
        "document.querySelectorAll('#comment-threads .comment-thread')[0]"
        ".querySelectorAll('.comment').length === 2"
    )
    assert c.locator("#comment-threads .comment-mention").first.inner_text() == "@cora-m"
    assert draft.input_value() == "half a tho"
    assert c.evaluate("document.activeElement.className") == "comment-reply-text"
    c.keyboard.type("ught")
    assert draft.input_value() == "half a thought"
    c.wait_for_function("document.getElementById('mentions').textContent === '@ 1'")
    c.click("#mentions")  # opens the thread she was mentioned in; the mention is read
    c.wait_for_selector("#mentions", state="hidden")
    opened = c.eval_on_selector("#comment-threads .comment-thread.open", "t => t.dataset.threadId")
    assert opened == a.eval_on_selector(
        "#comment-threads .comment-thread", "t => t.dataset.threadId"
    )
    c.wait_for_function(
        "fetch('/api/notifications').then(r => r.json()).then(d => d.notifications.length === 0)"
    )
    a.locator("#comment-threads .comment-thread").first.locator(".comment-resolve").click()
    # A resolved thread loses its marker; the list hides it unless it is the one open.
    c.wait_for_function(
        "document.querySelectorAll('#comment-markers .comment-marker').length === 1"
        " && document.querySelector('#comment-threads .comment-thread.open')"
        ".dataset.resolved === 'true'"
    )
    a.wait_for_function(
        "document.querySelectorAll('#comment-threads .comment-thread').length === 1"
    )
    c.check("#comments-show-resolved")
    assert c.eval_on_selector_all(
        "#comment-threads .comment-thread", "ts => ts.map(t => t.dataset.resolved)"
    ) == ["true", "false"]
    a.screenshot(path=str(shots / "comments-editor.png"), full_page=True)
    assert ana.errors == [] and cora.errors == [] and vic.errors == []
    assert blocked.urls == []


def test_comments_and_their_markers_work_under_the_enforced_csp(
    browser: Any, web_server: Any, blocked: Blocked
) -> None:
    """The panel and the markers need no inline script and no eval (CSP enforced)."""
    ana = CspPage(browser, web_server, blocked, "cspcomments")
    score = ana.api("post", "/api/scores", {"title": "CSP comments", "measures": 2})["id"]
    ana.page.goto(f"{web_server.url}/scores/{score}")
    page = ana.page
    page.wait_for_selector('#score [id="m2.p1.r0"]', timeout=20000)
    ana.until("window.tutti.collab.joined")
    page.click('#score [id="m2.p1.r0"]')
    page.fill("#comment-text", "under the CSP")
    page.click("#comment-post")
    page.wait_for_selector('#comment-markers .comment-marker[data-kind="measures"]', timeout=5000)
    assert page.inner_text("#comment-threads .comment-anchor") == "m. 2, Piano"
    assert ana.violations == [] and ana.errors == [] and blocked.urls == []
    ana.context.close()
