"""Screenshots of the editor for the docs: two users in one score, presence visible.

Starts ``tutti serve`` on a temporary database, drives two Chromium contexts (Ana and
Ben) through the real UI and writes PNGs to ``docs/screenshots/``.

Run: ``.venv/bin/python -m bench.screenshots``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import Page, sync_playwright

from bench.browser_bench import CHROMIUM_ARGS, free_port
from server.persistence import init_db

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"


def type_keys(page: Page, keys: list[str]) -> None:
    for key in keys:
        page.keyboard.press(key)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="tutti-shots-"))
    url = f"sqlite:///{workdir / 'shots.sqlite3'}"
    init_db(url)
    port = free_port()
    env = {**os.environ, "TUTTI_DATABASE_URL": url, "TUTTI_INSTANCE_DIR": str(workdir),
           "TUTTI_SECRET_KEY": "shots-secret"}  # fmt: skip
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/tutti"), "serve", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/login", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        people = {"ana": "Ana", "ben": "Ben"}
        for name, display in people.items():
            body = {"name": name, "password": "screens-pw", "display_name": display}
            requests.post(f"{base}/api/signup", json=body, timeout=10)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            pages = {}
            for name in people:
                context = browser.new_context(viewport={"width": 1280, "height": 760})
                context.request.post(
                    f"{base}/api/login", data={"name": name, "password": "screens-pw"}
                )
                pages[name] = context.new_page()
            ana, ben = pages["ana"], pages["ben"]
            ana.goto(f"{base}/")
            ana.fill('#create-form input[name="title"]', "Evening Song")
            ana.fill('#create-form input[name="measures"]', "8")
            ana.click('#create-form button[type="submit"]')
            ana.wait_for_url("**/scores/*")
            score_id = ana.url.rsplit("/", 1)[1]
            ana.request.post(
                f"{base}/api/scores/{score_id}/members", data={"name": "ben", "role": "editor"}
            )
            ben.goto(f"{base}/scores/{score_id}")
            for page in (ana, ben):
                page.wait_for_function("window.tutti && window.tutti.doc", timeout=30000)
                page.evaluate("window.tutti.ready")
            ana.click('#score [id="m1.p1.r0"]')
            type_keys(ana, ["n", "5", "e", "g", "4", "a", "b", "5", "c", "6", "b", "5", "a", "g"])
            ana.keyboard.press("Escape")
            ben.click('#score [id="m1.p2.r0"]')
            type_keys(ben, ["n", "6", "c", "e", "f", "g", "Escape"])
            first = ana.evaluate("window.tutti.doc.parts[0].bars.m1.voices['1'][0].id")
            ana.evaluate("id => window.tutti.select([id])", first)
            ana.keyboard.press("Control+k")
            ana.keyboard.type("C")
            ana.keyboard.press("Enter")
            ana.keyboard.press("Control+l")
            for syllable, then in [("Eve", "-"), ("ning", " "), ("song", " "), ("of", " ")]:
                ana.keyboard.type(syllable)
                ana.keyboard.press(then)
            ana.keyboard.press("Escape")
            bar = ben.evaluate("window.tutti.doc.parts[1].bars.m2.voices['1'][0].id")
            ben.evaluate("id => window.tutti.select([id])", bar)
            time.sleep(1.0)
            ana.screenshot(path=str(OUT / "editor-two-users.png"))
            ben.screenshot(path=str(OUT / "editor-second-user.png"))
            ana.keyboard.press("?")
            ana.screenshot(path=str(OUT / "editor-shortcuts.png"))
            ana.keyboard.press("Escape")
            ana.goto(f"{base}/")
            ana.wait_for_selector("#score-list tbody tr")
            ana.screenshot(path=str(OUT / "library.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"wrote {sorted(p.name for p in OUT.glob('*.png'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
