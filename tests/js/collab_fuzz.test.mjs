// Convergence fuzz of the browser's collab client, a port of tests/unit/test_protocol_collab.py
// and tests/integration/test_sync_convergence.py to Node: N pages (the real Collab transport
// over the real core) edit one score through a simulated network against a tiny in-memory
// server (the JS score model). Messages are delayed and reordered, broadcasts lost and
// duplicated, acks time out, connections drop, the server answers server_error and
// rate_limited. Every run ends with all replicas == server doc == replay of the log, every
// edit stored exactly once or refused as invalid_op, and never more than maxInFlight
// submits awaiting an ack. Seeded and deterministic; more: TUTTI_JS_FUZZ_SEEDS=2000.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { newDocument } from '../../static/js/score/index.js';
import { Collab } from '../../static/js/sync/collab.js';
import { Rng, idSource, validEdit } from './support/random_ops.mjs';
import { SimNetwork, SimSocket } from './support/sim_network.mjs';
import { TinyServer } from './support/tiny_server.mjs';

const SEEDS = Number(process.env.TUTTI_JS_FUZZ_SEEDS || 40);
const STEPS = Number(process.env.TUTTI_JS_FUZZ_STEPS || 160);
const SCORE = 'fuzz';

const FAULTS = { serverError: 0.1, rateLimited: 0.05, loseBroadcast: 0.15, duplicateBroadcast: 0.1 };

/** One simulated page: a socket, the real transport, and a record of what it did. */
class Page {
  constructor(net, name, rng, maxInFlight) {
    this.name = name;
    this.rng = rng;
    this.ids = idSource(`${name}-`);
    this.socket = new SimSocket(net, name);
    this.timers = []; // retry timers the fuzz fires when it likes
    this.rejected = []; // [error, ops]
    this.edits = []; // every edit the page made (core objects)
    this.repairs = 0; // edits the core added to re-send skipped ops
    this.deduplicated = 0;
    this.duplicates = []; // [clientSeq, ack] of verbatim resubmissions
    this.collab = new Collab({
      socket: this.socket,
      scoreId: SCORE,
      clientId: name,
      maxInFlight,
      onRejected: (error, ops) => this.rejected.push([error, ops]),
      setTimeout: (fn) => this.timers.push(fn),
    });
    this.socket.connect();
  }

  edit() {
    const doc = this.collab.doc;
    if (doc === null) return;
    const edit = this.collab.submit(validEdit(doc, this.rng, this.ids));
    if (edit) this.edits.push(edit);
  }

  /** Send a stored edit again, verbatim, as a confused client would: must be deduplicated. */
  resubmit() {
    const stored = this.edits.filter((e) => e.seq !== null);
    if (!stored.length || !this.socket.connected) return;
    const edit = this.rng.choice(stored);
    this.socket.emit(
      'join', // make sure this connection is in the room, as the transport's join did
      { score: SCORE, since: null },
      () => {},
    );
    this.socket.emit(
      'submit',
      { score: SCORE, client_id: this.name, client_seq: edit.clientSeq, ops: edit.ops },
      (ack) => this.duplicates.push([edit, ack]),
      { raw: true }, // not the transport's: outside its in-flight bound
    );
  }

  fireTimer() {
    const fn = this.timers.shift();
    if (fn) fn();
    return Boolean(fn);
  }
}

function step(net, pages, rng) {
  const page = rng.choice(pages);
  const roll = rng.random();
  if (roll < 0.3) page.edit();
  else if (roll < 0.55) net.serveOne(page.socket, rng);
  else if (roll < 0.85) page.socket.deliverOne(rng);
  else if (roll < 0.9) page.fireTimer();
  else if (roll < 0.93) page.socket.timeOutOne(rng);
  else if (roll < 0.96) {
    if (page.socket.connected) page.socket.disconnect();
    else page.socket.connect();
  } else if (roll < 0.97) page.resubmit();
  else if (roll < 0.99) page.collab.catchUp();
  else if (page.socket.connected) page.socket.disconnect();
}

/** No more faults: reconnect, deliver everything, fire every timer, catch up; until quiet. */
function heal(net, pages, rng) {
  net.faults = { serverError: 0, rateLimited: 0, loseBroadcast: 0, duplicateBroadcast: 0 };
  for (let round = 0; round < 10000; round += 1) {
    let busy = false;
    for (const page of pages) {
      page.socket.connect();
      while (net.serveOne(page.socket, rng) || page.socket.deliverOne(rng) || page.fireTimer()) busy = true;
    }
    if (busy) continue;
    const behind = pages.filter((p) => p.collab.version < net.server.head || p.collab.unconfirmed.length);
    if (!behind.length) return;
    for (const page of behind) page.collab.catchUp();
  }
  throw new Error('the pages never settled');
}

function checkConverged(net, pages, maxInFlight) {
  const server = net.server;
  assert.deepEqual(server.doc, server.replay(), 'server document != replay of the log');
  for (const page of pages) {
    const { collab } = page;
    assert.deepEqual(collab.core.errors, [], `${page.name}: ${collab.core.errors}`);
    assert.equal(collab.unconfirmed.length, 0, `${page.name} has unconfirmed edits`);
    assert.equal(collab.version, server.head, `${page.name} is behind`);
    assert.deepEqual(collab.doc, server.doc, `${page.name} diverged`);
    assert.ok(page.socket.maxSubmitsWaiting <= maxInFlight, `${page.name}: ${page.socket.maxSubmitsWaiting} in flight`);
    // Every edit is stored exactly once where its ops are, or was refused as invalid.
    const dropped = new Set(page.rejected.map(([, ops]) => ops));
    for (const [error] of page.rejected) assert.equal(error.code, 'invalid_op', JSON.stringify(error));
    for (const edit of page.edits) {
      if (edit.seq === null) {
        assert.ok(dropped.has(edit.ops), `${page.name} lost edit ${edit.clientSeq}`);
        continue;
      }
      assert.ok(!dropped.has(edit.ops), `${page.name} edit ${edit.clientSeq} stored and refused`);
      const stored = server.log[edit.seq - 1];
      assert.equal(stored.client_id, page.name);
      assert.equal(stored.client_seq, edit.clientSeq);
      assert.deepEqual(stored.ops, edit.ops, `edit ${edit.seq} is not what was sent`);
    }
    // Any other edit of ours in the log re-sends ops the server skipped in an edit that
    // overtook a refused one (the core's repair), nothing else.
    const made = new Set(page.edits.map((e) => e.clientSeq));
    const skippedOps = [];
    for (const wire of server.log) {
      if (wire.client_id === page.name) for (const s of wire.skipped) skippedOps.push(wire.ops[s.index]);
    }
    for (const wire of server.log.filter((w) => w.client_id === page.name && !made.has(w.client_seq))) {
      page.repairs += 1;
      for (const op of wire.ops) {
        assert.ok(skippedOps.some((o) => JSON.stringify(o) === JSON.stringify(op)), `edit ${wire.seq} was never made`);
      }
    }
    for (const [edit, ack] of page.duplicates) {
      if (!ack.ok && ['server_error', 'rate_limited'].includes(ack.error.code)) continue; // injected
      assert.ok(ack.ok && ack.duplicate && ack.seq === edit.seq, `resubmission not deduplicated: ${JSON.stringify(ack)}`);
      page.deduplicated += 1;
    }
  }
}

function run(seed, { clients = 3, steps = STEPS, maxInFlight = 4, faults = FAULTS } = {}) {
  const rng = new Rng(seed);
  const server = new TinyServer(newDocument({ parts: [{ name: 'A' }, { name: 'B' }], measures: 3 }));
  const net = new SimNetwork(server, SCORE, faults);
  const pages = [];
  for (let i = 0; i < clients; i += 1) pages.push(new Page(net, `c${i}`, new Rng(seed * 31 + i), maxInFlight));
  // Everyone holds the document before the fuzz starts editing.
  for (const page of pages) while (net.serveOne(page.socket, rng) || page.socket.deliverOne(rng));
  for (let k = 0; k < steps; k += 1) step(net, pages, rng);
  heal(net, pages, rng);
  checkConverged(net, pages, maxInFlight);
  return { net, pages };
}

test(`${SEEDS} seeded runs of 3 pages converge through lost, reordered and refused messages`, () => {
  const totals = { edits: 0, stored: 0, dropped: 0, serverErrors: 0, lost: 0, repairs: 0, deduplicated: 0 };
  for (let seed = 1; seed <= SEEDS; seed += 1) {
    const { net, pages } = run(seed);
    totals.stored += net.server.head;
    totals.serverErrors += net.stats.serverErrors + net.stats.rateLimited;
    totals.lost += net.stats.lost;
    for (const page of pages) {
      totals.edits += page.edits.length;
      totals.dropped += page.rejected.length;
      totals.repairs += page.repairs;
      totals.deduplicated += page.deduplicated;
    }
  }
  // The fuzz really exercised the hard paths (else it proves little).
  assert.ok(totals.serverErrors > SEEDS, JSON.stringify(totals));
  assert.ok(totals.lost > SEEDS, JSON.stringify(totals));
  assert.ok(totals.dropped > 0, JSON.stringify(totals));
  assert.ok(totals.deduplicated > 0, JSON.stringify(totals));
  console.log(JSON.stringify(totals));
  assert.ok(totals.stored > totals.edits / 2, JSON.stringify(totals));
});

/** A lone writer's run: the document it last saw, and the server's after healing. */
function solo(seed, maxInFlight, faults) {
  const rng = new Rng(seed);
  const server = new TinyServer(newDocument({ parts: [{ name: 'A' }], measures: 3 }));
  const net = new SimNetwork(server, SCORE, faults);
  const page = new Page(net, 'solo', rng, maxInFlight);
  while (net.serveOne(page.socket, rng) || page.socket.deliverOne(rng));
  for (let k = 0; k < STEPS; k += 1) step(net, [page], rng);
  const typed = JSON.parse(JSON.stringify(page.collab.doc)); // what the user last saw
  heal(net, [page], rng);
  checkConverged(net, [page], maxInFlight);
  return { typed, server, page };
}

test('a lone writer with 8 in flight ends exactly where it typed through drops and reconnects', () => {
  const faults = { ...FAULTS, serverError: 0, rateLimited: 0 };
  for (let seed = 1; seed <= SEEDS; seed += 1) {
    const { typed, server, page } = solo(1000 + seed, 8, faults);
    assert.deepEqual(page.rejected, [], `seed ${seed}`);
    assert.deepEqual(server.doc, typed, `seed ${seed}: the stored score is not what was typed`);
  }
});

test('a lone writer with one submit in flight ends exactly where it typed through server errors', () => {
  for (let seed = 1; seed <= SEEDS; seed += 1) {
    const { typed, server, page } = solo(5000 + seed, 1, FAULTS);
    assert.deepEqual(page.rejected, [], `seed ${seed}`);
    assert.deepEqual(server.doc, typed, `seed ${seed}: the stored score is not what was typed`);
  }
});

test('a lone writer with 8 in flight ends exactly where it typed through refusals', () => {
  // Refused edits with later ones already on the wire: those run without them, and what
  // they skipped must come back (from the ack or from the broadcast, whichever is first).
  for (let seed = 1; seed <= SEEDS; seed += 1) {
    const { typed, server, page } = solo(9000 + seed, 8, FAULTS);
    assert.deepEqual(page.rejected, [], `seed ${seed}`);
    assert.deepEqual(server.doc, typed, `seed ${seed}: the stored score is not what was typed`);
  }
});
