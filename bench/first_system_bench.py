"""Time to the first system and to the whole engraving when a big quartet movement opens.

Beethoven's Grosse Fuge, op. 133 (the largest quartet movement in music21's corpus), is
imported into a fresh ``tutti serve`` and opened in Debian's Chromium several times. For
each open it records, inside the page, when the first system is in the DOM and when the
last one is (progressive engraving: the systems on screen first, then batches with a
progress count), and, in the same page, how long the previous path takes: the whole
score engraved as one piece before anything shows. Writes ``docs/benchmarks/first_system.md``.

Run: ``.venv/bin/python -m bench.first_system_bench`` (``--opens 5``).
"""

from __future__ import annotations

import argparse
import os
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from music21 import corpus
from playwright.sync_api import sync_playwright

from bench.browser_bench import CHROMIUM_ARGS, REPO, bench_server
from server.editing import EditLog
from server.formats import import_score
from server.persistence import Database

OUT = REPO / "docs" / "benchmarks" / "first_system.md"
WORK = "beethoven/opus133"

# Recorded in the page: when the first slice holds an SVG and when the last one does.
WATCH = """
window.__firstSystem = null; window.__allSystems = null; window.__docAt = null;
const docTimer = setInterval(() => {
  if (!(window.tutti && window.tutti.doc)) return;
  window.__docAt = performance.now();
  clearInterval(docTimer);
}, 5);
new MutationObserver(() => {
  const slices = document.querySelectorAll('#score .slice');
  const drawn = [...slices].filter((s) => s.querySelector('svg'));
  if (drawn.length && window.__firstSystem === null) window.__firstSystem = performance.now();
  if (slices.length && drawn.length === slices.length && window.__allSystems === null) {
    window.__allSystems = performance.now();
  }
}).observe(document, { childList: true, subtree: true });
"""


def run(opens: int) -> dict[str, Any]:
    first, full, previous, arrived, slices = [], [], [], [], 0
    with bench_server("tutti-first-system-") as (base, url):
        creds = {"name": "bench", "password": "bench-password"}
        user = requests.post(f"{base}/api/signup", json=creds, timeout=10).json()["user"]
        path = Path(str(corpus.getWork(WORK)))
        doc = import_score(path.read_bytes(), path.name, isolated=False).doc
        service = EditLog(Database(url))
        score_id = service.create_score(user["id"], "Grosse Fuge", doc)
        measures, parts = len(doc["measures"]), len(doc["parts"])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
            context.request.post(f"{base}/api/login", data=creds)
            context.add_init_script(WATCH)
            for _ in range(opens):
                page = context.new_page()
                page.goto(f"{base}/scores/{score_id}")
                page.wait_for_function("window.__allSystems !== null", timeout=300_000)
                first.append(page.evaluate("window.__firstSystem"))
                arrived.append(page.evaluate("window.__docAt"))
                full.append(page.evaluate("window.__allSystems"))
                slices = page.evaluate("document.querySelectorAll('#score .slice').length")
                previous.append(page.evaluate(
                    """async () => {
                        const t = performance.now();
                        await window.tutti.engraver.renderFull(window.tutti.doc);
                        return performance.now() - t;
                    }"""
                ))  # fmt: skip
                page.close()
            browser.close()
        service.db.dispose()
    return {"first": first, "full": full, "previous": previous, "arrived": arrived,
            "slices": slices, "measures": measures, "parts": parts}  # fmt: skip


def report(r: dict[str, Any], opens: int) -> str:
    med = statistics.median
    load = os.getloadavg()[0]
    return "\n".join([
        "# First system of a big score",
        "",
        f"Written by `bench/first_system_bench.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC;"
        f" {opens} opens; load average {load:.1f} on the shared machine.",
        "",
        f"Beethoven, Grosse Fuge op. 133: {r['measures']} measures x {r['parts']} parts,"
        f" {r['slices']} systems. Times are from navigation start, inside the page.",
        "",
        "| | median | all |",
        "|---|---|---|",
        f"| the score's document in the page (joined) | {med(r['arrived']):.0f} ms |"
        f" {', '.join(f'{x:.0f}' for x in r['arrived'])} |",
        f"| first system in the page | {med(r['first']):.0f} ms |"
        f" {', '.join(f'{x:.0f}' for x in r['first'])} |",
        f"| every system in the page | {med(r['full']):.0f} ms |"
        f" {', '.join(f'{x:.0f}' for x in r['full'])} |",
        f"| previous path: the whole score engraved before anything shows | "
        f"{med(r['previous']):.0f} ms | {', '.join(f'{x:.0f}' for x in r['previous'])} |",
        "",
        f"First system vs the previous path: {med(r['first']) / med(r['previous']):.2f}x.",
        "",
    ])  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opens", type=int, default=5)
    args = parser.parse_args()
    result = run(args.opens)
    text = report(result, args.opens)
    OUT.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
