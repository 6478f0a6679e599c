// The collab transport: wires a socket.io-client socket and retry timers to the pure
// collab core (core.js), which owns the state (confirmed seq, unconfirmed edits, early
// arrivals) and decides what to send. This file only talks to the socket: join and
// catch up from our seq on every (re)connect, submit what the core hands out (a bounded
// number in flight, the same client ids on every resend), resend after a timer when the
// server asks, fetch gaps. No DOM: the page gets callbacks.

import { CollabCore, DEFAULT_MAX_IN_FLIGHT } from "./core.js";

/** An ack that does not come in this long counts as lost: the edit is sent again. */
const ACK_TIMEOUT_MS = 30000;

export class Collab {
  /**
   * @param {object} o
   * @param {object} o.socket  a socket.io-client socket (connects on its own)
   * @param {string} o.scoreId
   * @param {string} o.clientId  unique per page load; the server dedups by (client id, seq)
   * @param {Function} [o.applyEdit]  (doc, ops) -> {inverse, skipped}; throws on an invalid edit
   * @param {Function} [o.clone]  deep copy (of ops, which documents keep references into)
   * @param {Function} o.onChange  (doc, {remote, ops}) after the local document changed
   *   (``ops`` only for a local edit: what changed, for partial re-engraving)
   * @param {Function} o.onStatus  ({connected, joined, queued, version}) on connection changes
   * @param {Function} [o.onRejected]  (error, ops) for an edit refused here or by the server
   * @param {number} [o.maxInFlight]  submits awaiting their ack at once
   * @param {number} [o.ackTimeoutMs]  an ack not back by then counts as lost (resend)
   * @param {Function} [o.setTimeout]  (fn, ms) for the retry timer
   */
  constructor(o) {
    this.socket = o.socket;
    this.scoreId = o.scoreId;
    this.clientId = o.clientId;
    this.onChange = o.onChange || (() => {});
    this.onStatus = o.onStatus || (() => {});
    this.onRejected = o.onRejected || (() => {});
    this.ackTimeoutMs = o.ackTimeoutMs || ACK_TIMEOUT_MS;
    this.setTimeout = o.setTimeout || ((fn, ms) => setTimeout(fn, ms)); // tests inject a clock
    this.core = new CollabCore({
      clientId: o.clientId,
      maxInFlight: o.maxInFlight || DEFAULT_MAX_IN_FLIGHT,
      ...(o.applyEdit ? { applyEdit: o.applyEdit } : {}),
      ...(o.clone ? { clone: o.clone } : {}),
    });
    this.role = null;
    this.fetching = false;
    this._joinToken = 0;
    this._fetchToken = 0;
    this._retryTimer = null;
    this.socket.on("connect", () => this.join());
    this.socket.on("disconnect", () => this._onDisconnect());
    this.socket.on("edit", (wire) => this._onEdit(wire));
    if (this.socket.connected) this.join();
  }

  /** What the user sees (null until the first join). */
  get doc() {
    return this.core.doc;
  }

  get version() {
    return this.core.seq;
  }

  /** Our edits the server has not confirmed yet, oldest first. */
  get unconfirmed() {
    return this.core.pending;
  }

  get joined() {
    return this.core.online;
  }

  get inFlight() {
    return this.core.inFlight;
  }

  status() {
    this.onStatus({
      connected: this.socket.connected,
      joined: this.core.online,
      queued: this.core.pending.length,
      version: this.core.seq,
    });
  }

  join() {
    if (!this.socket.connected) return;
    const token = ++this._joinToken;
    const core = this.core;
    const since = core.doc !== null && !core.needsSnapshot ? core.seq : null;
    this.socket.emit("join", { score: this.scoreId, since }, (ack) => {
      if (token !== this._joinToken) return; // a newer join is under way
      if (!ack || !ack.ok) {
        this.onStatus({ connected: true, joined: false, error: ack && ack.error });
        return;
      }
      this.role = ack.role;
      // Far behind (or first join): a snapshot at ``seq``; otherwise edits after ``since``.
      core.joined({ snapshot: ack.snapshot || ack.doc || null, seq: ack.seq ?? 0, edits: ack.edits || [] });
      this._settled();
    });
  }

  /** Apply ``ops`` locally now and send them; returns the edit or null if refused. */
  submit(ops) {
    if (this.core.doc === null || !Array.isArray(ops) || !ops.length) return null;
    let edit;
    try {
      edit = this.core.localEdit(ops);
    } catch (error) {
      this.onRejected(error, ops);
      return null;
    }
    if (!edit) return null;
    this._pump();
    this.onChange(this.core.doc, { remote: false, ops });
    this.status();
    return edit;
  }

  /** Ask for everything after our seq (a lost broadcast is otherwise only noticed later). */
  catchUp() {
    if (this.core.online) this._fetch(this.core.seq + 1, null);
  }

  // --- socket events ------------------------------------------------------------------------

  _onDisconnect() {
    this._joinToken += 1;
    this._fetchToken += 1;
    this.fetching = false;
    this.core.disconnected();
    this.status();
  }

  _onEdit(wire) {
    if (wire && wire.score !== undefined && wire.score !== this.scoreId) return;
    this.core.receive(wire);
    this._settled();
  }

  _onAck(edit, attempt, err, ack) {
    // A timeout or a dropped connection leaves ``ack`` undefined: resend, same ids.
    const answer = err ? { ok: false, error: { code: "no_ack", message: String(err.message) } } : ack;
    const result = this.core.settle(edit, attempt, answer);
    if (result.outcome === "dropped") this.onRejected(result.error, edit.ops);
    if (result.outcome === "retry" && result.retryAfterMs > 0) this._scheduleRetry(result.retryAfterMs);
    if (result.outcome === "retry" && !this.core.online && this.socket.connected) this.join();
    this._settled();
  }

  // --- sending and fetching -------------------------------------------------------------------

  _pump() {
    for (const edit of this.core.takeToSend()) {
      const attempt = edit.attempt;
      const payload = {
        score: this.scoreId,
        client_id: this.clientId,
        client_seq: edit.clientSeq,
        ops: edit.ops,
      };
      if (edit.after !== null) payload.after = edit.after;
      this.socket
        .timeout(this.ackTimeoutMs)
        .emit("submit", payload, (err, ack) => this._onAck(edit, attempt, err, ack));
    }
  }

  _scheduleRetry(ms) {
    if (this._retryTimer !== null) return; // one timer resumes sending, oldest first
    this._retryTimer = this.setTimeout(() => {
      this._retryTimer = null;
      this.core.resume();
      this._pump();
    }, ms);
  }

  _fetch(from, to) {
    if (this.fetching || !this.core.online) return;
    this.fetching = true;
    const token = ++this._fetchToken;
    const request = { score: this.scoreId, from };
    if (to !== null) request.to = to;
    this.socket.timeout(this.ackTimeoutMs).emit("fetch", request, (err, ack) => {
      if (token === this._fetchToken) this.fetching = false;
      if (!err && ack && ack.ok) for (const wire of ack.edits || []) this.core.receive(wire);
      this._settled();
    });
  }

  /** After any input: rejoin if the replica broke, send, fill gaps, tell the page. */
  _settled() {
    const core = this.core;
    if (core.needsSnapshot && core.online) {
      core.disconnected(); // stop sending on a broken view until the snapshot comes
      this.join();
    }
    this._pump();
    const gap = core.gap();
    if (gap) this._fetch(gap[0], gap[1]);
    if (core.changed) {
      core.changed = false;
      this.onChange(core.doc, { remote: true });
    }
    this.status();
  }
}
