"""Sharing in real browsers against the real server: Ana shares with Ben from the share
dialog and Ben edits live; a stranger asks for access and gets in once Ana approves;
Ana removes Ben and his open editor locks at once; a share link with an expiry lets
Cleo in and then stops working, both for her open editor and for the link itself.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from server.editing import EditLog
from tests.integration.conftest import LiveServer

from .conftest import TEST_CONTEXT, Blocked, User, click_id, settled

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def new_score(owner: User) -> str:
    body = {"title": "Duet", "measures": 4, "parts": [{"name": "Upper", "clef": "treble"}]}
    return str(owner.api("post", "/api/scores", body)["id"])


def open_dialog(page: Page) -> None:
    page.click("#share-button")
    page.wait_for_selector("#share-dialog[open] .share-member")


def type_notes(page: Page, keys: str) -> list[str]:
    click_id(page, "m1.p1.r0")
    page.keyboard.press("n")
    for key in keys:
        page.keyboard.press(key)
    voice = page.evaluate("window.tutti.doc.parts[0].bars.m1.voices['1']")
    return [e["notes"][0]["id"] for e in voice if e.get("notes")]


def no_access_card(page: Page, timeout: float = 6000) -> str:
    page.wait_for_selector("#no-access h2", timeout=timeout)
    page.wait_for_selector("#no-access :is(#request-access, .request-sent)", timeout=timeout)
    return page.inner_text("#no-access")


def test_ana_shares_with_ben_from_the_dialog_ben_edits_live_then_is_removed(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, ben = make_user("ana_sh"), make_user("ben_sh")
    score = new_score(ana)
    a = ana.open(score)
    open_dialog(a)
    a.fill("#share-dialog .share-invite input[name=name]", "nobody_here")
    a.click("#share-dialog .share-invite button[type=submit]")
    a.wait_for_selector("#share-dialog .share-error:has-text('no user named')")
    a.fill("#share-dialog .share-invite input[name=name]", "ben_sh")
    a.select_option("#share-dialog .share-invite select[name=role]", "editor")
    a.click("#share-dialog .share-invite button[type=submit]")
    a.wait_for_selector("#share-dialog .share-member[data-name=ben_sh]")
    # The sole owner cannot leave: the dialog says why.
    a.click("#share-dialog .share-member[data-name=ana_sh] button.remove")
    a.wait_for_selector("#share-dialog .share-error:has-text('needs an owner')")
    a.click("#share-dialog .share-close")

    b = ben.open(score)
    assert b.evaluate("window.tutti.collab.role") == "editor"
    typed = type_notes(b, "cde")
    a.wait_for_function(
        'ids => ids.every(id => document.querySelector(`#score [id="${id}"]`))',
        arg=typed,
        timeout=2000,
    )
    assert settled(a, 3) == settled(b, 3)

    open_dialog(a)
    a.click("#share-dialog .share-member[data-name=ben_sh] button.remove")
    a.wait_for_function("!document.querySelector('#share-dialog .share-member[data-name=ben_sh]')")
    started = time.monotonic()
    card = no_access_card(b)
    assert time.monotonic() - started < 4
    assert "access to this score was removed" in card
    assert b.evaluate("window.tutti.socket.connected") is False
    assert web_service.head_seq(score) == 3
    assert ana.errors == [] and ben.errors == []
    assert blocked.urls == []


def test_a_stranger_requests_access_and_ana_approves_from_the_dialog(
    make_user: Any, blocked: Blocked
) -> None:
    ana, dan = make_user("ana_rq"), make_user("dan_rq")
    score = new_score(ana)
    dan.page.goto(f"{dan.server.url}/scores/{score}")
    card = no_access_card(dan.page, timeout=15000)
    assert "You don't have access" in card
    assert dan.page.is_hidden("#toolbar") and dan.page.is_hidden("#score-area")
    dan.page.click("#request-access")
    dan.page.wait_for_selector("#no-access .request-sent")

    a = ana.open(score)
    open_dialog(a)
    a.wait_for_selector("#share-dialog .share-request[data-name=dan_rq]")
    SCREENSHOTS.mkdir(exist_ok=True)
    a.screenshot(path=str(SCREENSHOTS / "share-dialog.png"))
    a.select_option("#share-dialog .share-request[data-name=dan_rq] select", "commenter")
    a.click("#share-dialog .share-request[data-name=dan_rq] button.approve")
    a.wait_for_selector("#share-dialog .share-member[data-name=dan_rq]")
    # Dan's page notices and opens the score, as a commenter: he cannot edit.
    dan.page.wait_for_function(
        "window.tutti && window.tutti.collab && window.tutti.collab.joined", timeout=10000
    )
    assert dan.page.evaluate("window.tutti.collab.role") == "commenter"
    assert "comment" in dan.page.inner_text("#status-line")
    assert ana.errors == [] and dan.errors == []
    assert blocked.urls == []


def test_a_share_link_with_an_expiry_stops_working(
    make_user: Any, blocked: Blocked, web_service: EditLog
) -> None:
    ana, cleo = make_user("ana_ln"), make_user("cleo_ln")
    score = new_score(ana)
    a = ana.open(score)
    # From the dialog: a link that expires in a day, shown once, listed with its expiry.
    open_dialog(a)
    a.select_option("#share-dialog .share-link-form select[name=role]", "editor")
    a.select_option("#share-dialog .share-link-form select[name=expiry]", "1")
    a.click("#share-dialog .share-link-form button[type=submit]")
    a.wait_for_selector("#share-dialog .share-url")
    day_link = a.input_value("#share-dialog .share-url")
    assert "/s/" in day_link
    assert "expires" in a.inner_text("#share-dialog .share-link")
    a.click("#share-dialog .share-close")
    # A link that lives ten seconds (the API takes fractions of a day).
    short = ana.api(
        "post", f"/api/scores/{score}/links", {"role": "editor", "expires_in_days": 10 / 86400}
    )["link"]
    expires = time.monotonic() + 10
    c = cleo.page
    c.goto(short["url"])
    c.wait_for_url(f"**/scores/{score}")
    c.wait_for_function("window.tutti && window.tutti.collab.joined", timeout=15000)
    assert c.evaluate("window.tutti.collab.role") == "editor"
    typed = type_notes(c, "g")
    settled(c, 1)
    a.wait_for_function(
        'ids => ids.every(id => document.querySelector(`#score [id="${id}"]`))', arg=typed
    )
    # The link expires: Cleo's open editor loses the score, and the link is dead.
    card = no_access_card(c, timeout=15000)
    assert "removed" in card
    assert time.monotonic() - expires < 4  # evicted within seconds of the expiry
    c.goto(short["url"])
    assert "This link has expired" in c.inner_text("main")
    response = cleo.context.request.get(short["url"], max_redirects=0)
    assert response.status == 410
    # The day-long link still works: Cleo is back in, through it.
    c.goto(day_link)
    c.wait_for_url(f"**/scores/{score}")
    c.wait_for_function("window.tutti && window.tutti.collab.joined", timeout=15000)
    assert web_service.head_seq(score) == 1
    assert ana.errors == [] and cleo.errors == []
    assert blocked.urls == []


def test_library_search_sort_rename_duplicate_trash_and_shared_with_me(
    make_user: Any, blocked: Blocked
) -> None:
    eve, fay = make_user("eve_lib"), make_user("fay_lib")
    fugue = str(eve.api("post", "/api/scores", {"title": "Fugue", "measures": 2})["id"])
    eve.api("post", "/api/scores", {"title": "Air", "measures": 2})
    eve.api("post", f"/api/scores/{fugue}/members", {"name": "fay_lib", "role": "viewer"})
    page = eve.page
    page.goto(f"{eve.server.url}/")
    page.wait_for_function("document.querySelectorAll('#score-list tbody tr').length === 2")
    page.select_option("#library-sort", "title")
    page.wait_for_function(
        "document.querySelector('#score-list tbody tr td').textContent === 'Air'"
    )
    page.fill("#library-search", "fug")
    page.wait_for_function("document.querySelectorAll('#score-list tbody tr').length === 1")
    row = f"#score-list tr[data-score-id='{fugue}']"
    page.click(f"{row} button.rename")
    page.fill("#dialog-form input[name=title]", "Fugue in D")
    page.click("#dialog-form button[value=ok]")
    page.wait_for_selector(f"{row} a:has-text('Fugue in D')")
    page.click(f"{row} button.duplicate")
    page.wait_for_selector("#score-list a:has-text('Copy of Fugue in D')")
    page.click(f"{row} button.delete")
    page.wait_for_function(f'!document.querySelector("{row}")')
    page.click("#trash summary")
    page.wait_for_selector(f"#trash-list tr[data-score-id='{fugue}']")

    other = fay.page
    other.goto(f"{fay.server.url}/")
    other.wait_for_selector("#shared-empty:not([hidden])")  # deleted: gone for Fay too
    page.click(f"#trash-list tr[data-score-id='{fugue}'] button.restore")
    page.wait_for_selector(f"{row} a:has-text('Fugue in D')")
    other.reload()
    other.wait_for_selector(f"#shared-list tr[data-score-id='{fugue}']")
    shared = other.inner_text(f"#shared-list tr[data-score-id='{fugue}']")
    assert "eve_lib" in shared and "viewer" in shared
    assert not other.query_selector(f"#shared-list tr[data-score-id='{fugue}'] button.rename")
    assert eve.errors == [] and fay.errors == []
    assert blocked.urls == []


def test_opening_a_link_logged_out_joins_after_signing_up(
    make_user: Any, browser: Browser, web_server: LiveServer, blocked: Blocked
) -> None:
    ana = make_user("ana_out")
    score = new_score(ana)
    link = ana.api("post", f"/api/scores/{score}/links", {"role": "commenter"})["link"]
    context = browser.new_context(viewport={"width": 1200, "height": 800}, **TEST_CONTEXT)
    blocked.guard(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(link["url"])
        page.wait_for_url("**/login?next=*")
        page.fill('#signup-form input[name="name"]', "gus_out")
        page.fill('#signup-form input[name="password"]', "gus-pw-123")
        page.click('#signup-form button[type="submit"]')
        page.wait_for_url(f"**/scores/{score}")
        page.wait_for_function("window.tutti && window.tutti.collab.joined", timeout=15000)
        assert page.evaluate("window.tutti.collab.role") == "commenter"
        members = ana.api("get", f"/api/scores/{score}/members")["members"]
        assert [(m["name"], m["role"], m["via_link"]) for m in members] == [
            ("ana_out", "owner", False),
            ("gus_out", "commenter", True),
        ]
        assert errors == []
        assert blocked.urls == []
    finally:
        context.close()
