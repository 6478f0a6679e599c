"""Account security in a real Chromium with the CSP enforced: the editor loads, engraves,
connects and edits under the Content-Security-Policy with no violation; the log-in page
never redirects to another host; a CSS-injecting selection id neither reaches a peer's
page (the server refuses it) nor could break out of the presence style sheet (escaped).

Playwright's ``wait_for_function`` needs eval, which the CSP forbids: these tests wait
with selectors and poll with ``page.evaluate`` (DevTools evaluation, not page script)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from playwright.sync_api import Browser, BrowserContext, Page

from tests.integration.conftest import LiveServer

from .conftest import PASSWORD, Blocked, signup

pytestmark = pytest.mark.browser


class CspPage:
    """A logged-in page whose context enforces the CSP, recording every violation."""

    def __init__(self, browser: Browser, server: LiveServer, blocked: Blocked, name: str) -> None:
        signup(server, name)
        self.server = server
        self.context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 860})
        blocked.guard(self.context)
        response = self.context.request.post(
            f"{server.url}/api/login",
            data={"name": name, "password": PASSWORD},
            headers={"Origin": server.url},
        )
        assert response.ok, response.text()
        self.page: Page = self.context.new_page()
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(message.text)

    def until(self, expression: str, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(expression)
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {expression}"
            time.sleep(0.05)

    def api(self, method: str, path: str, data: Any = None) -> Any:
        call = getattr(self.context.request, method)
        response = call(f"{self.server.url}{path}", data=data, headers={"Origin": self.server.url})
        assert response.ok, response.text()
        return response.json()


@pytest.fixture
def csp_page(browser: Browser, web_server: LiveServer, blocked: Blocked) -> Iterator[Any]:
    opened: list[CspPage] = []

    def make(name: str) -> CspPage:
        page = CspPage(browser, web_server, blocked, name)
        opened.append(page)
        return page

    yield make
    for page in opened:
        page.context.close()


def test_the_editor_engraves_connects_and_edits_under_the_csp(
    csp_page: Any, web_server: LiveServer, blocked: Blocked, tmp_path: Path
) -> None:
    """(docs/screenshots/editor-under-csp.png is one such screenshot.)"""
    ana = csp_page("cspana")
    score = ana.api("post", "/api/scores", {"title": "Under CSP", "measures": 4})["id"]
    response = ana.page.goto(f"{web_server.url}/scores/{score}")
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp and "frame-ancestors 'none'" in csp
    page = ana.page
    page.wait_for_selector('#connection[data-state="online"]', timeout=15000)
    page.wait_for_selector('#score [id="m1.p1.r0"]', timeout=20000)  # Verovio (wasm) ran
    ana.until("window.tutti.collab.joined")
    page.click('#score [id="m1.p1.r0"]')
    for key in ("n", "c", "d", "e"):
        page.keyboard.press(key)
    ana.until("window.tutti.version >= 3 && window.tutti.unconfirmed === 0")
    notes = page.evaluate(
        "(d => d.parts[0].bars[d.measures[0].id].voices['1']"
        ".filter(e => e.notes.length).length)(window.tutti.doc)"
    )
    assert notes == 3
    page.click('[data-cmd="play"]')  # Tone.js and the samples load under the CSP too
    page.wait_for_timeout(1500)
    page.click('[data-cmd="play"]')
    # PDF export (Verovio pages in a worker, jsPDF + svg2pdf) works under the CSP too.
    with page.expect_download(timeout=60_000) as info:
        page.select_option('select[data-menu="score"]', "export")
        page.select_option('#dialog select[name="format"]', "pdf")
        page.click('#dialog button[value="ok"]')
    pdf = tmp_path / "export.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    page.screenshot(path=str(tmp_path / "editor-under-csp.png"))
    assert ana.violations == [] and ana.errors == [] and blocked.urls == []


@pytest.mark.parametrize(
    "payload",
    ["/%5Cevil.example/", "//evil.example/", "https://evil.example/", "/%09/evil.example/"],
)
def test_logging_in_never_leaves_the_site(
    browser: Browser, web_server: LiveServer, blocked: Blocked, payload: str
) -> None:
    signup(web_server, "redirected")
    context = browser.new_context()
    blocked.guard(context)
    try:
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{web_server.url}/login?next={payload}")
        page.fill('#login-form input[name="name"]', "redirected")
        page.fill('#login-form input[name="password"]', PASSWORD)
        page.click('#login-form button[type="submit"]')
        page.wait_for_url(f"{web_server.url}/", timeout=10000)
        assert page.url == f"{web_server.url}/"
        page.wait_for_selector("#score-list")  # the library page, working under the CSP
        assert blocked.urls == [] and violations == []
    finally:
        context.close()


#: The newline ends the selector's string; "]{}" closes the selector and its rule, and
#: what follows is a rule of its own that hides the score and fetches a URL.
INJECTION = "m1.p1.r0\n]{} #score { display: none; background: url(/evil) } [id="


def test_a_css_injecting_selection_cannot_touch_a_peers_page(
    csp_page: Any, web_server: LiveServer
) -> None:
    ana = csp_page("cssana")
    signup(web_server, "cssben")
    score = ana.api("post", "/api/scores", {"title": "Peers", "measures": 2})["id"]
    ana.api("post", f"/api/scores/{score}/members", {"name": "cssben", "role": "editor"})
    page = ana.page
    page.goto(f"{web_server.url}/scores/{score}")
    page.wait_for_selector('#score [id="m1.p1.r0"]', timeout=20000)
    ana.until("window.tutti.collab.joined")
    # Ben, as a script with his token, tries the injection: the server refuses it.
    token = requests.post(
        f"{web_server.url}/api/token", json={"name": "cssben", "password": PASSWORD}, timeout=10
    ).json()["token"]
    ben = socketio.Client(reconnection=False)
    ben.connect(web_server.url, auth={"token": token}, transports=["websocket"])
    try:
        assert ben.call("join", {"score": score})["ok"]
        ack = ben.call("select", {"score": score, "selection": [INJECTION]})
        assert ack["ok"] is False and ack["error"]["code"] == "bad_request"
        assert ben.call("select", {"score": score, "selection": ["m1.p1.r0"]})["ok"]
        ana.until("document.getElementById('presence-style').textContent.includes('m1.p1.r0')")
    finally:
        ben.disconnect()
    style = page.evaluate("document.getElementById('presence-style').textContent")
    assert "display" not in style and "evil" not in style
    # And had it got through, Ana's page escapes it: one rule, the score still shown.
    drawn = page.evaluate(
        """async (injection) => {
          const { Presence } = await import("/static/js/presence/presence.js");
          const style = document.createElement("style");
          document.head.appendChild(style);
          const peer = { sid: "other", user: { id: 99, name: "x", colour: "#ff0000" },
                         selection: [injection] };
          const presence = new Presence({ list: document.createElement("ul"), style,
            mySid: () => "me", expand: (ids) => ids });
          presence.update([peer]);
          const escaped = { rules: style.sheet.cssRules.length,
                            display: getComputedStyle(document.getElementById("score")).display };
          // The escaping presence.js used before (quotes and backslashes only), to show
          // that this check does catch a break-out.
          const old = (id) => `[id="${String(id).replace(/["\\\\]/g, "\\\\$&")}"]`;
          style.textContent = `${old(injection)} { fill: red; }`;
          const unescaped = { rules: style.sheet.cssRules.length,
                              display: getComputedStyle(document.getElementById("score")).display };
          style.remove();
          return { escaped, unescaped };
        }""",
        INJECTION,
    )
    assert drawn["escaped"] == {"rules": 1, "display": "block"}
    assert drawn["unescaped"]["display"] == "none"  # the old escaping let it out
    assert ana.violations == [] and ana.errors == []


def test_account_page_changes_the_password_and_manages_tokens(
    csp_page: Any, web_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    ana = csp_page("acctana")
    other = csp_page("acctana")  # the same person logged in in a second browser
    page = ana.page
    page.goto(f"{web_server.url}/account")
    page.wait_for_selector("#whoami:has-text('acctana')")
    page.fill('#token-form input[name="label"]', "import script")
    page.click('#token-form button[type="submit"]')
    page.wait_for_selector("#token-list tbody tr:has-text('import script')")
    token = page.text_content("#new-token code")
    assert token and not page.is_hidden("#new-token")
    me = requests.get(f"{web_server.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    page.click("#token-list tbody tr:has-text('import script') button:has-text('Revoke')")
    page.wait_for_selector("#token-list tbody tr:has-text('No API tokens')")
    assert page.is_hidden("#new-token")
    gone = requests.get(f"{web_server.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401
    # Change the password: the second browser is logged out, this one stays in.
    page.fill('#password-form input[name="current_password"]', PASSWORD)
    page.fill('#password-form input[name="new_password"]', "a-new-password")
    page.click('#password-form button[type="submit"]')
    page.wait_for_selector("#password-status:has-text('Password changed')")
    page.screenshot(path=str(tmp_path / "account.png"))
    assert other.context.request.get(f"{web_server.url}/api/me").status == 401
    assert ana.context.request.get(f"{web_server.url}/api/me").status == 200
    assert ana.violations == [] and ana.errors == []


def test_an_open_editor_of_a_revoked_session_goes_to_log_in(
    csp_page: Any, web_server: LiveServer
) -> None:
    """Ana changes her password in another browser: the editor open in this one has its
    socket cut, cannot reconnect with the revoked cookie, and lands on the log-in page."""
    ana = csp_page("revokedana")
    elsewhere = csp_page("revokedana")
    score = ana.api("post", "/api/scores", {"title": "Revoked", "measures": 2})["id"]
    page = ana.page
    page.goto(f"{web_server.url}/scores/{score}")
    page.wait_for_selector('#connection[data-state="online"]', timeout=15000)
    elsewhere.api(
        "post", "/api/password", {"current_password": PASSWORD, "new_password": "changed-pw-1"}
    )
    page.wait_for_url(f"{web_server.url}/login?next=%2Fscores%2F{score}", timeout=15000)
    assert page.is_visible("#login-form")


HOSTILE = '<img src="/hostile.png" onerror="window.pwned=1">"><svg onload="window.pwned=1">'


def test_hostile_names_show_as_text_in_a_peers_editor(
    csp_page: Any, web_server: LiveServer
) -> None:
    """A display name, a part name and a title full of markup reach a peer's presence list,
    score title and engraved SVG as text: no element, no request, no script."""
    body = {"name": "hostile", "password": PASSWORD, "display_name": HOSTILE}
    signed = requests.post(f"{web_server.url}/api/signup", json=body, timeout=10)
    assert signed.status_code in (201, 409)
    ana = csp_page("markupana")
    mallory = csp_page("hostile")
    parts = [{"name": HOSTILE, "clef": "treble"}]
    score = ana.api("post", "/api/scores", {"title": HOSTILE, "measures": 2, "parts": parts})
    ana.api("post", f"/api/scores/{score['id']}/members", {"name": "hostile", "role": "editor"})
    requested: list[str] = []
    ana.page.on("request", lambda r: requested.append(r.url))
    for person in (ana, mallory):
        person.page.goto(f"{web_server.url}/scores/{score['id']}")
        person.page.wait_for_selector('#connection[data-state="online"]', timeout=15000)
    page = ana.page
    page.wait_for_selector("#presence li:nth-child(2)", timeout=10000)
    page.wait_for_selector("#score svg", timeout=20000)
    assert HOSTILE in page.inner_text("#presence")
    assert page.text_content("#score-title") == HOSTILE
    assert page.query_selector_all("#presence img, #presence svg, #score-title *") == []
    assert page.query_selector_all("#score img, #score foreignObject") == []
    engraved = page.text_content("#score") or ""
    assert "window.pwned=1" in engraved  # the part name, engraved as text
    assert page.evaluate("window.pwned") is None
    assert not [u for u in requested if "hostile.png" in u]
    assert ana.violations == [] and ana.errors == []
