"""Browser benchmark: edit-to-pixels in the real editor page for 32- and 128-measure scores.

Starts ``tutti serve`` on a temporary SQLite database, opens the editor in Debian's
Chromium and times, inside the page, one edit from local apply to the re-engraved
SVG in the DOM plus the next animation frame (``window.tutti.timedEdit``: only the
changed slice is re-engraved). Baseline, same run, same page: a full re-render of
the whole score as one Verovio piece (``window.tutti.fullRender``, MEI + engrave +
SVG parse). Reports medians, p90s and ratios; writes ``docs/benchmarks/browser.md``.

Run: ``.venv/bin/python -m bench.browser_bench`` (``--edits 40 --full 8``; ``--quick``).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import sync_playwright

from server.editing import EditLog
from server.persistence import Database, init_db
from server.score import apply_edit, new_document
from server.score.model import Doc

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "benchmarks" / "browser.md"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGETS = {32: 50.0, 128: 100.0}


def filled_score(measures: int, seed: int = 7) -> Doc:
    """Two staves of running eighths (a realistic engraving load, 16 notes per measure)."""
    rng = random.Random(seed)
    doc = new_document(
        title=f"Bench {measures}",
        parts=[{"name": "Right", "clef": "treble"}, {"name": "Left", "clef": "bass"}],
        measures=measures,
    )
    ops: list[dict[str, Any]] = []
    k = 0
    for m in doc["measures"]:
        for part, octave in (("p1", 4), ("p2", 3)):
            for beat in range(8):
                k += 1
                note = {"id": f"n{k}", "step": rng.choice("CDEFGAB"), "alter": 0, "octave": octave}
                event = {"id": f"e{k}", "dur": {"type": 8}, "notes": [note]}
                ops.append(
                    {"op": "write_event", "part": part, "measure": m["id"],
                     "offset": f"{beat}/8", "event": event}
                )  # fmt: skip
    for i in range(0, len(ops), 1000):
        apply_edit(doc, ops[i : i + 1000])
    return doc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure_page(page: Any, doc: Doc, edits: int, fulls: int) -> dict[str, Any]:
    page.evaluate("window.tutti.ready")
    page.wait_for_function("window.tutti.engraver.busy === null")
    middle = doc["measures"][len(doc["measures"]) // 2]["id"]
    note_id = doc["parts"][0]["bars"][middle]["voices"]["1"][3]["notes"][0]["id"]
    steps = "CDEFGAB"
    edit_ms = []
    for i in range(edits):
        op = {"op": "set_pitch", "note": note_id, "step": steps[i % 7], "alter": 0, "octave": 5}
        ms = page.evaluate(
            """async (ops) => {
                const ms = await window.tutti.timedEdit(ops);
                const t = performance.now();
                await new Promise((r) => requestAnimationFrame(() => r()));
                return ms + (performance.now() - t);
            }""",
            [op],
        )
        edit_ms.append(float(ms))
        page.wait_for_function("window.tutti.unconfirmed === 0")
    slices = page.evaluate("window.tutti.engraver.stats.lastSlices")
    full_ms = []
    for _ in range(fulls):
        ms = page.evaluate(
            """async () => {
                const t = performance.now();
                const doc = window.tutti.doc;
                const { mei } = await import('/static/js/render/mei.js').then(
                    (m) => ({ mei: m.sliceMei(doc) }));
                const result = await window.tutti.engraver.request([{ key: 'full', mei }]);
                const holder = document.createElement('div');
                holder.style.display = 'none';
                document.body.appendChild(holder);
                holder.innerHTML = result.items[0].svg;
                holder.remove();
                return performance.now() - t;
            }"""
        )
        full_ms.append(float(ms))
    return {
        "edit": edit_ms,
        "full": full_ms,
        "slices_per_edit": slices,
        "slice_count": page.evaluate("window.tutti.engraver.slices.length"),
    }


@contextmanager
def bench_server(prefix: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """A fresh ``tutti serve`` on a temporary SQLite database, once it answers: yields
    (its base URL, the database URL); stopped on exit."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    init_db(url)
    port = free_port()
    full_env = {**os.environ, "TUTTI_DATABASE_URL": url, "TUTTI_INSTANCE_DIR": str(workdir),
                "TUTTI_SECRET_KEY": "bench-secret", **(env or {})}  # fmt: skip
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - the child writes to it
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/tutti"), "serve", "--port", str(port)],
        cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/login", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base, url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def run(sizes: list[int], edits: int, fulls: int) -> list[dict[str, Any]]:
    results = []
    rates = {"TUTTI_SYNC_EDIT_RATE": "1000", "TUTTI_SYNC_EDIT_BURST": "1000"}
    with bench_server("tutti-browser-bench-", rates) as (base, url):
        creds = {"name": "bench", "password": "bench-password"}
        user = requests.post(f"{base}/api/signup", json=creds, timeout=10).json()["user"]
        service = EditLog(Database(url))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
            context.request.post(f"{base}/api/login", data=creds)
            for size in sizes:
                doc = filled_score(size)
                score_id = service.create_score(user["id"], f"Bench {size}", doc)
                page = context.new_page()
                page.goto(f"{base}/scores/{score_id}")
                page.wait_for_function("window.tutti && window.tutti.doc", timeout=30000)
                data = measure_page(page, doc, edits, fulls)
                data["measures"] = size
                results.append(data)
                page.close()
                print(summary_line(data), flush=True)
            browser.close()
        service.db.dispose()
    return results


def summary_line(r: dict[str, Any]) -> str:
    p50 = statistics.median(r["edit"])
    full = statistics.median(r["full"])
    return (
        f"{r['measures']:>4} measures: edit-to-pixels p50 {p50:.1f} ms, "
        f"p90 {percentile(r['edit'], 0.9):.1f} ms; full re-render p50 {full:.1f} ms; "
        f"full/edit {full / p50:.1f}x"
    )


def write_report(results: list[dict[str, Any]], edits: int, fulls: int, load_before: float) -> None:
    rows = []
    for r in results:
        p50 = statistics.median(r["edit"])
        full = statistics.median(r["full"])
        target = TARGETS.get(r["measures"])
        verdict = "—" if target is None else ("met" if p50 < target else "MISSED")
        rows.append(
            f"| {r['measures']} | {r['slice_count']} | {p50:.1f} | "
            f"{percentile(r['edit'], 0.9):.1f} | {full:.1f} | {full / p50:.1f}x | "
            f"< {target:.0f} ms: {verdict} |"
        )
    text = f"""# Browser editor: edit-to-pixels

Generated by `.venv/bin/python -m bench.browser_bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC
({platform.machine()}, {os.cpu_count()} cores, Debian Chromium headless, Python
{platform.python_version()}; load average {load_before:.1f} before / {os.getloadavg()[0]:.1f}
after the run: the machine is shared, so absolute numbers move with it, the ratio less).
Scores: two staves of running eighths (16 notes per measure).

**Edit** = one `set_pitch` in the middle of the score, timed inside the page from the
local apply (`window.tutti.timedEdit`) until the re-engraved slice is in the DOM and the
next animation frame has run. The page regenerates MEI only for the slices holding the
measures the edit's ops touch (and their neighbours) and re-engraves only the slice
(4 measures, one system) whose MEI changed, in a Web Worker running Verovio. {edits}
edits per size.

**Baseline (same run, same page)** = a full re-render: MEI for the whole score,
Verovio engraving it as one piece in the same worker, and parsing the SVG into the
DOM. {fulls} renders per size.

| measures | slices | edit p50 ms | edit p90 ms | full render p50 ms | full / edit | target |
|---:|---:|---:|---:|---:|---:|---|
{chr(10).join(rows)}

The edit cost is nearly flat in the score length: only the touched slice's MEI is
regenerated and only that slice is engraved; what still grows with the score is the
page's index of the document (rebuilt after each edit) and the op lookups. The full
re-render grows with the score, which is what the slicing avoids.
"""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--full", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="5 edits, 2 full renders")
    args = parser.parse_args()
    edits, fulls = (5, 2) if args.quick else (args.edits, args.full)
    load_before = os.getloadavg()[0]
    results = run([32, 128], edits, fulls)
    write_report(results, edits, fulls, load_before)
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
