"""The browser's collaboration client (static/js/sync/collab.js), run by Node with the
real socket.io-client against the real server: two clients edit concurrently while one
of them loses a quarter of the broadcasts and gets the rest late and out of order; both
must end with the database's document (gaps fetched, early edits buffered, rebase by
replay). ``TUTTI_WEB_COLLAB_EDITS`` makes the run longer (default 60 edits)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import requests

from server.editing import EditLog
from server.persistence import Database

from .conftest import LiveServer

REPO = Path(__file__).resolve().parents[2]
HARNESS = r"""
import { io } from "socket.io-client";
import { applyEdit, clone } from "./static/js/score/index.js";
import { Collab } from "./static/js/sync/collab.js";

const cfg = JSON.parse(await new Promise((ok) => {
  let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => ok(s));
}));
let seed = cfg.seed;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(f, what) {
  for (let i = 0; i < 1000; i++) { if (f()) return; await sleep(10); }
  throw new Error(`timed out waiting for ${what}`);
}

const clients = cfg.tokens.map((token, n) => {
  const socket = io(cfg.url, { auth: { token }, transports: ["websocket"] });
  if (n === 1) {
    // Fault injection on the wire: drop 25% of broadcasts, delay the rest at random.
    const on = socket.on.bind(socket);
    socket.on = (event, handler) => on(event, event !== "edit" ? handler : (edit) => {
      if (rand() < 0.25) return;
      setTimeout(() => handler(edit), Math.floor(rand() * 40));
    });
  }
  const rejected = [];
  const counts = { fetch: 0 };
  const emit = socket.emit.bind(socket);
  socket.emit = (event, ...args) => {
    if (event === "fetch") counts.fetch += 1;
    return emit(event, ...args);
  };
  const collab = new Collab({
    socket, scoreId: cfg.score, clientId: `node${n}x${cfg.seed}`, applyEdit, clone,
    onChange: () => {}, onStatus: () => {},
    onRejected: (e) => rejected.push(String(e.message || e)),
  });
  return { socket, collab, rejected, counts, n };
});
await until(() => clients.every((c) => c.collab.joined && c.collab.doc), "join");

const steps = ["C", "D", "E", "F", "G", "A", "B"];
for (let k = 0; k < cfg.edits; k++) {
  const c = pick(clients);
  const doc = c.collab.doc;
  const notes = [];
  for (const part of doc.parts) for (const bar of Object.values(part.bars))
    for (const e of bar.voices["1"]) for (const n of e.notes) notes.push([e, n]);
  const id = `${c.collab.clientId}-${k}`;
  let ops;
  const roll = rand();
  if (roll < 0.6 || !notes.length) {
    ops = [{ op: "write_event", part: pick(doc.parts).id, measure: pick(doc.measures).id,
             offset: pick(["0", "1/4", "1/2", "3/4"]),
             event: { id, dur: { type: pick([4, 8]) },
                      notes: [{ id: `${id}n`, step: pick(steps), alter: 0, octave: 4 }] } }];
  } else if (roll < 0.85) {
    const [, n] = pick(notes);
    ops = [{ op: "set_pitch", note: n.id, step: pick(steps), alter: 0, octave: 5 }];
  } else {
    ops = [{ op: "delete_event", event: pick(notes)[0].id }];
  }
  c.collab.submit(ops);
  if (rand() < 0.3) await sleep(Math.floor(rand() * 15));
}
await until(() => clients.every((c) => c.collab.unconfirmed.length === 0), "acks");
const head = Math.max(...clients.map((c) => c.collab.version));
for (const c of clients) c.collab.catchUp();
await until(() => clients.every((c) => c.collab.version >= head && !c.collab.fetching), "catch-up");
console.log(JSON.stringify({
  docs: clients.map((c) => c.collab.doc),
  versions: clients.map((c) => c.collab.version),
  rejected: clients.map((c) => c.rejected.length),
  fetches: clients.map((c) => c.counts.fetch),
}));
for (const c of clients) c.socket.close();
process.exit(0);
"""


def test_collab_client_converges_with_lost_and_reordered_broadcasts(
    live_server: LiveServer, server_service: EditLog
) -> None:
    owner = live_server.browser()
    for name in ("nodea", "nodeb"):
        live_server.signup(name)
    owner.post(
        f"{live_server.url}/api/login", json={"name": "nodea", "password": "secret-pw"}, timeout=10
    )
    created = owner.post(
        f"{live_server.url}/api/scores",
        json={"title": "Fuzz", "measures": 4, "parts": [{"name": "A"}, {"name": "B"}]},
        timeout=10,
    )
    score_id = created.json()["id"]
    owner.post(
        f"{live_server.url}/api/scores/{score_id}/members",
        json={"name": "nodeb", "role": "editor"},
        timeout=10,
    )
    edits = int(os.environ.get("TUTTI_WEB_COLLAB_EDITS", "60"))
    config = {
        "url": live_server.url,
        "score": score_id,
        "tokens": [live_server.token("nodea"), live_server.token("nodeb")],
        "edits": edits,
        "seed": 12345,
    }
    out = subprocess.run(
        ["node", "--input-type=module", "-e", HARNESS],
        input=json.dumps(config),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    server_service.forget_cache()
    doc, head = server_service.load(score_id)
    assert result["versions"] == [head, head]
    assert result["docs"][0] == result["docs"][1] == doc
    # Every edit made it: refused ones would be taken back and counted here.
    assert result["rejected"] == [0, 0]
    assert head == edits
    # The lossy client really had gaps to fetch (beyond the final catch-up call).
    assert result["fetches"][1] > 1


QUEUE_HARNESS = r"""
import { io } from "socket.io-client";
import { Collab } from "./static/js/sync/collab.js";

const cfg = JSON.parse(await new Promise((ok) => {
  let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => ok(s));
}));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(f, what) {
  for (let i = 0; i < 3000; i++) { if (f()) return; await sleep(10); }
  throw new Error(`timed out waiting for ${what}`);
}
const socket = io(cfg.url, { auth: { token: cfg.token }, transports: ["websocket"] });
// Count, on the wire, the submits that wait for their ack and the refusals that come back.
const wire = { waiting: 0, most: 0, submits: 0, refused: {} };
const emit = socket.emit.bind(socket);
socket.emit = (event, payload, callback) => {
  if (event !== "submit") return emit(event, payload, callback);
  wire.waiting += 1;
  wire.submits += 1;
  wire.most = Math.max(wire.most, wire.waiting);
  return emit(event, payload, (err, ack) => {
    wire.waiting -= 1;
    const code = err ? "no_ack" : ack && !ack.ok && ack.error.code;
    if (code) wire.refused[code] = (wire.refused[code] || 0) + 1;
    callback(err, ack);
  });
};
const rejected = [];
const collab = new Collab({
  socket, scoreId: cfg.score, clientId: "queue1",
  onRejected: (e) => rejected.push(String(e.message || e)),
});
await until(() => collab.joined && collab.doc, "join");
socket.disconnect();
// Offline: notes in every beat of every bar, then a pitch change on every fourth note
// (those depend on an earlier edit of the queue).
const steps = "CDEFGAB";
let k = 0;
for (const m of collab.doc.measures) for (const offset of ["0", "1/4", "1/2", "3/4"]) {
  const note = { id: `q${k}n`, step: steps[k % 7], octave: 4 };
  const event = { id: `q${k}`, dur: { type: 4 }, notes: [note] };
  collab.submit([{ op: "write_event", part: "p1", measure: m.id, offset, event }]);
  const flat = { op: "set_pitch", note: note.id, step: "B", alter: -1, octave: 3 };
  if (k % 4 === 1) collab.submit([flat]);
  k += 1;
}
const queued = collab.unconfirmed.length;
const typed = JSON.stringify(collab.doc);
socket.connect();
await until(() => collab.joined && collab.unconfirmed.length === 0, "the queue to drain");
collab.catchUp();
await until(() => !collab.fetching, "catch-up");
console.log(JSON.stringify({ queued, typed: JSON.parse(typed), doc: collab.doc,
  version: collab.version, rejected, wire, maxInFlight: collab.core.maxInFlight }));
socket.close();
process.exit(0);
"""


def test_offline_queue_drains_within_the_in_flight_bound_through_rate_limiting(
    db_url: str, start_server: Any
) -> None:
    """A long offline queue against a server with a tiny edit budget: submits go at most 8
    at a time, rate_limited ones are resent (same ids) after ``retry_after``, none is lost,
    and the database ends as the user typed it."""
    server = start_server(db_url, {"TUTTI_SYNC_EDIT_BURST": "5", "TUTTI_SYNC_EDIT_RATE": "40"})
    server.signup("queuer")
    token = server.token("queuer")
    created = requests.post(
        f"{server.url}/api/scores",
        json={"title": "Queue", "measures": 8, "parts": [{"name": "A"}]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    score_id = created.json()["id"]
    out = subprocess.run(
        ["node", "--input-type=module", "-e", QUEUE_HARNESS],
        input=json.dumps({"url": server.url, "score": score_id, "token": token}),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    service = EditLog(Database(server.database_url))
    try:
        doc, head = service.load(score_id)
    finally:
        service.db.dispose()
    assert result["queued"] == 40
    assert result["rejected"] == []
    assert result["wire"]["refused"].get("rate_limited", 0) > 0, result["wire"]
    assert result["wire"]["most"] <= result["maxInFlight"] == 8, result["wire"]
    assert result["wire"]["most"] == 8, "the window was never full"
    assert result["version"] == head >= 40
    assert result["doc"] == doc == result["typed"]
