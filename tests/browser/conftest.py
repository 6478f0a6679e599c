"""Playwright fixtures: one real ``tutti serve`` and one Debian Chromium per module.

Every page gets a route that aborts any request to a non-loopback host and records
it; tests assert the record stays empty (the editor works with no internet).
Needs ``/usr/bin/chromium`` (``apt-get install chromium``) and ``npm ci``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from server.editing import EditLog
from server.persistence import Database, init_db
from tests.integration.conftest import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--autoplay-policy=no-user-gesture-required",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: Playwright's ``wait_for_function`` compiles its predicate with eval, which the app's
#: CSP forbids, so these contexts bypass the CSP; test_security_browser.py runs the
#: editor with the CSP enforced (and waits without eval).
TEST_CONTEXT: dict[str, Any] = {"bypass_csp": True}
PASSWORD = "browser-pw-1"


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{workdir / 'tutti.sqlite3'}"
    init_db(url)
    server = LiveServer(url, workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def web_service(web_server: LiveServer) -> Iterator[EditLog]:
    service = EditLog(Database(web_server.database_url))
    yield service
    service.db.dispose()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Blocked:
    """Requests the pages tried to make to anything but loopback."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def guard(self, context: BrowserContext) -> None:
        def handle(route: Any) -> None:
            url = route.request.url
            host = urlparse(url).hostname
            if url.startswith(("data:", "blob:")) or host in LOOPBACK:
                route.continue_()
            else:
                self.urls.append(url)
                route.abort()

        context.route("**/*", handle)


@pytest.fixture(scope="module")
def blocked() -> Blocked:
    return Blocked()


def signup(server: LiveServer, name: str) -> None:
    response = requests.post(
        f"{server.url}/api/signup", json={"name": name, "password": PASSWORD}, timeout=10
    )
    assert response.status_code in (201, 409), response.text


class User:
    """One person: a browser context logged in as ``name`` and its page."""

    def __init__(self, browser: Browser, server: LiveServer, blocked: Blocked, name: str) -> None:
        signup(server, name)
        self.name = name
        self.server = server
        self.context = browser.new_context(viewport={"width": 1280, "height": 860}, **TEST_CONTEXT)
        blocked.guard(self.context)
        response = self.context.request.post(
            f"{server.url}/api/login",
            data={"name": name, "password": PASSWORD},
            headers={"Origin": server.url},
        )
        assert response.ok, response.text()
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(f"{e}\n{e.stack}"))

    def api(self, method: str, path: str, data: Any = None) -> Any:
        """A JSON call with this person's cookie, as the app's own page makes it (with
        ``Origin``: cookie calls without one are refused)."""
        call = getattr(self.context.request, method)
        headers = {"Origin": self.server.url}
        response = (
            call(f"{self.server.url}{path}", data=data, headers=headers)
            if data
            else call(f"{self.server.url}{path}", headers=headers)
        )
        assert response.ok, response.text()
        return response.json()

    def open(self, score_id: str) -> Page:
        self.page.goto(f"{self.server.url}/scores/{score_id}")
        self.page.wait_for_function("window.tutti && window.tutti.doc !== null", timeout=15000)
        self.page.evaluate("window.tutti.ready")
        self.page.wait_for_function("window.tutti.collab.joined", timeout=10000)
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def make_user(browser: Browser, web_server: LiveServer, blocked: Blocked) -> Iterator[Any]:
    users: list[User] = []

    def make(name: str) -> User:
        user = User(browser, web_server, blocked, name)
        users.append(user)
        return user

    yield make
    for user in users:
        user.close()


def new_shared_score(owner: User, others: list[User], **options: Any) -> str:
    body = {"title": "Duet", "measures": 8, **options}
    parts = [{"name": "Upper", "clef": "treble"}, {"name": "Lower", "clef": "bass"}]
    body.setdefault("parts", parts)
    score_id = str(owner.api("post", "/api/scores", body)["id"])
    for other in others:
        owner.api("post", f"/api/scores/{score_id}/members", {"name": other.name, "role": "editor"})
    return score_id


def settled(page: Page, head: int | None = None) -> Any:
    """Wait until the page has no unconfirmed edits (and has reached ``head``); its doc."""
    condition = "window.tutti.unconfirmed === 0 && window.tutti.collab.joined"
    if head is not None:
        condition += f" && window.tutti.version >= {head}"
    page.wait_for_function(condition, timeout=10000)
    return page.evaluate("window.tutti.doc")


def click_id(page: Page, element_id: str, modifiers: list[str] | None = None) -> None:
    """Click an engraved element as a user would: the middle of a note's head (or of the
    rest), with the mouse, holding ``modifiers``; the editor picks what is under or near.

    A collaborator's edit may re-engrave the slice while we aim: then aim again."""
    selector = f'#score [id="{element_id}"]'
    head = f"{selector} .notehead"
    for attempt in range(5):
        # Click what is on screen: wait until no slice is being re-engraved (and replaced).
        page.wait_for_function("window.tutti.engraver.busy === null", timeout=10000)
        locator = page.locator(head if page.query_selector(head) else selector).first
        try:
            locator.scroll_into_view_if_needed(timeout=2000)
            box = locator.bounding_box(timeout=2000)
        except PlaywrightError:
            if attempt == 4:
                raise
            continue
        assert box is not None, element_id
        break
    for key in modifiers or []:
        page.keyboard.down(key)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for key in modifiers or []:
        page.keyboard.up(key)
