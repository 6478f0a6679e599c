"""The account and library pages in a real browser: sign up through the form, create a
score, export it as a download, import that file back, and open both in the editor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.integration.conftest import LiveServer

from .conftest import TEST_CONTEXT, Blocked

pytestmark = pytest.mark.browser


def test_sign_up_create_export_and_import(
    browser: Browser, web_server: LiveServer, blocked: Blocked, tmp_path: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 1200, "height": 800}, accept_downloads=True, **TEST_CONTEXT
    )
    blocked.guard(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{web_server.url}/")
        page.wait_for_url("**/login?next=*")  # not logged in: sent to the log-in page
        page.fill('#signup-form input[name="name"]', "libby")
        page.fill('#signup-form input[name="display_name"]', "Libby")
        page.fill('#signup-form input[name="password"]', "library-pw-1")
        page.click('#signup-form button[type="submit"]')
        page.wait_for_url(f"{web_server.url}/")  # and back where we were going
        page.wait_for_selector("#whoami:has-text('Libby')")

        page.fill('#create-form input[name="title"]', "Quartet")
        page.fill('#create-form input[name="measures"]', "6")
        page.select_option('#create-form select[name="preset"]', "satb")
        page.click('#create-form button[type="submit"]')
        page.wait_for_url("**/scores/*")
        page.wait_for_function("window.tutti && window.tutti.doc", timeout=15000)
        page.evaluate("window.tutti.ready")
        doc: Any = page.evaluate("window.tutti.doc")
        assert [p["name"] for p in doc["parts"]] == ["Soprano", "Alto", "Tenor", "Bass"]
        assert len(doc["measures"]) == 6
        assert page.text_content("#score-title") == "Quartet"

        page.goto(f"{web_server.url}/")
        page.wait_for_selector("#score-list tbody tr")
        assert page.inner_text("#score-list tbody").count("Quartet") == 1
        with page.expect_download() as info:
            page.click("#score-list tbody a:has-text('MusicXML')")
        saved = tmp_path / "quartet.musicxml"
        info.value.save_as(saved)
        assert b"score-partwise" in saved.read_bytes()

        page.set_input_files('#import-form input[name="file"]', str(saved))
        page.click('#import-form button[type="submit"]')
        page.wait_for_function(
            "location.pathname.startsWith('/scores/') || document.getElementById('import-report')"
        )
        if page.query_selector("#import-report"):
            page.click("text=Open the imported score")
        page.wait_for_function("window.tutti && window.tutti.doc", timeout=15000)
        imported: Any = page.evaluate("window.tutti.doc")
        assert len(imported["parts"]) == 4 and len(imported["measures"]) == 6
        page.goto(f"{web_server.url}/")
        page.wait_for_function("document.querySelectorAll('#score-list tbody tr').length === 2")
        assert errors == []
        assert blocked.urls == []
    finally:
        context.close()
