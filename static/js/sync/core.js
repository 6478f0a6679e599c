// The browser's collab core, pure: prosemirror-collab's state over our score ops.
// No socket, no timers, no DOM: `collab.js` (the transport) feeds it the server's
// messages and sends what it says. Mirrors server/sync/collab.py; imports only the
// score model (as defaults, so tests may inject others).
//
// State: the confirmed seq, the unconfirmed edits in local order (`pending`), edits that
// arrived early (`buffer`) and ONE document, the view = confirmed state + the unconfirmed
// edits applied on top ("layers", each with its exact inverse).
//
// What is copied when (documents are never cloned):
// - nothing is unconfirmed: a confirmed edit is applied to the one document in place;
// - our own oldest edit comes back confirmed in the order we applied it: nothing moves,
//   its layer simply becomes part of the confirmed state;
// - any other confirmed edit while edits are unconfirmed is queued (`behind`) and the
//   rebase is lazy: the next read of the view rewinds the layers with their inverses,
//   applies the queued confirmed edits, and replays the unconfirmed edits (new inverses);
//   a burst of remote edits costs one rebase, not one per edit;
// - ops are copied each time they are applied (the document keeps references into the
//   ops it applied; the stored ops must stay as sent).
// A rewind that does not restore exactly (a bug) marks `needsSnapshot`: the transport
// then re-joins for a snapshot, on which the unconfirmed edits are replayed.

import { applyEdit as scoreApplyEdit, clone as scoreClone } from "../score/index.js";

/** Refusals after which an edit is given up and reported; any other code is retried. */
export const FINAL_ERRORS = new Set([
  "invalid_op",
  "payload_too_large",
  "bad_request",
  "forbidden",
  "not_found",
  "client_seq_reused",
]);

/** Submits awaiting their ack at once (flow control). */
export const DEFAULT_MAX_IN_FLIGHT = 8;

const BACKOFF_MS = 250;
const BACKOFF_MAX_MS = 8000;

/** How long to wait before resending after a retryable refusal (the n-th in a row). */
export function retryDelayMs(error, failures) {
  if (error && error.code === "rate_limited") {
    return Math.max(50, Math.round(1000 * (Number(error.retry_after) || 0.2)));
  }
  return Math.min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** Math.max(0, failures - 1));
}

export class CollabCore {
  /**
   * @param {object} o
   * @param {string} o.clientId  the server dedups by (client id, client seq)
   * @param {number} [o.maxInFlight]  submits awaiting an ack at once
   * @param {Function} [o.applyEdit]  (doc, ops) -> {inverse, skipped}; throws, changing nothing
   * @param {Function} [o.clone]  deep copy (of ops)
   */
  constructor({
    clientId,
    maxInFlight = DEFAULT_MAX_IN_FLIGHT,
    applyEdit = scoreApplyEdit,
    clone = scoreClone,
  }) {
    if (!(maxInFlight >= 1)) throw new RangeError("maxInFlight must be at least 1");
    this.clientId = clientId;
    this.maxInFlight = maxInFlight;
    this.applyEdit = applyEdit;
    this.clone = clone;
    this.seq = 0; // the last confirmed seq we hold
    this.pending = []; // unconfirmed edits of ours, in local order
    this.buffer = new Map(); // seq -> edit that arrived before its turn
    this.online = false; // joined on the current connection: submits may go out
    this.paused = false; // after a retryable refusal, until the transport's timer resumes
    this.needsSnapshot = false;
    this.errors = []; // things that should never happen
    this.changed = false; // the view changed other than by localEdit (read by the transport)
    this._doc = null;
    this._layers = []; // pending edits applied to _doc on top of the confirmed state
    this._behind = []; // confirmed [wire, edit?] not yet under the layers
    this._stale = false; // the layers must be replayed (an edit left, or may apply now)
    this._nextClientSeq = 1;
    this._failures = 0; // retryable refusals in a row (backoff)
    this._careful = false; // after a refusal: one submit in flight until it is stored
    this._awaiting = new Set(); // edits whose current attempt has not been answered
    this._sends = 0; // counts submits, to tell which of two went out first
  }

  /** What the user sees: confirmed + unconfirmed edits (the object itself; null before join). */
  get doc() {
    if (this._doc !== null) this._rebase();
    return this._doc;
  }

  /** Submits whose ack we still wait for (an edit confirmed by the log meanwhile included). */
  get inFlight() {
    return this._awaiting.size;
  }

  /** Every local edit stored and seen, nothing early waiting. */
  get synced() {
    return this.online && !this.pending.length && !this.buffer.size;
  }

  // --- local edits ------------------------------------------------------------------------

  /** Apply ``ops`` to the view as one edit; throws a ScoreError (nothing changes). Null if it changed nothing. */
  localEdit(ops) {
    const doc = this.doc;
    if (doc === null) throw new Error("no document yet: join a score first");
    const { inverse } = this.applyEdit(doc, this.clone(ops));
    if (!inverse.length) return null;
    const edit = {
      clientSeq: this._nextClientSeq++,
      ops: this.clone(ops),
      inverse, // undoes it on the view; null while it does not apply there
      seq: null, // once the server stored it
      state: "queued", // queued, sent, acked (stored, not yet confirmed here), confirmed, dropped
      attempt: 0,
      inView: true,
    };
    this.pending.push(edit);
    this._layers.push(edit);
    return edit;
  }

  /** Edits to submit now, oldest first, within the in-flight bound (each marked sent). */
  takeToSend() {
    if (!this.online || this.paused || this.needsSnapshot) return [];
    const limit = this._careful ? 1 : this.maxInFlight;
    let inFlight = this.inFlight;
    const out = [];
    let before = null; // our nearest earlier edit not known stored: the server runs it first
    for (const edit of this.pending) {
      if (inFlight >= limit) break;
      if (edit.state !== "queued") {
        if (edit.seq === null) before = edit.clientSeq;
        continue;
      }
      edit.after = before;
      before = edit.clientSeq;
      edit.state = "sent";
      edit.attempt += 1;
      edit.sentAt = ++this._sends;
      this._awaiting.add(edit);
      inFlight += 1;
      out.push(edit);
    }
    return out;
  }

  /**
   * The server's answer to ``attempt`` of ``edit``: {outcome: ok | dropped | retry | stale,
   * error?, retryAfterMs?}. Retry keeps the edit (same client seq); dropped takes it out.
   */
  settle(edit, attempt, ack) {
    const current = this._awaiting.has(edit) && edit.attempt === attempt;
    if (current) this._awaiting.delete(edit);
    const index = this.pending.indexOf(edit);
    if (ack && ack.ok) {
      // Even a late ack of an earlier attempt is the truth: the server has it at ``seq``.
      const seq = Number(ack.seq);
      edit.seq = seq;
      this._failures = 0;
      if (edit.state === "sent" || edit.state === "queued") edit.state = "acked"; // never resent
      if (index >= 0 && current) this._repairOvertaken(edit, index, ack.skipped);
      if (index >= 0 && seq <= this.seq) {
        // Held already (a snapshot covered it, so no log entry matched it).
        this.pending.splice(index, 1);
        this._stale = this.changed = true;
      } else if (index >= 0) {
        // The ack doubles as the edit's arrival: the server stored exactly these ops.
        this.receive({ seq, ops: edit.ops, client_id: this.clientId, client_seq: edit.clientSeq });
      }
      this._updateCareful();
      return { outcome: "ok" };
    }
    if (!current || index < 0) return { outcome: "stale" };
    const error = (ack && ack.error) || { code: "server_error", message: "no answer" };
    if (error.code === "out_of_order") {
      // Sent while an earlier edit of ours was refused or lost: the server kept the order.
      // It goes again after that one (which carries the refusal's backoff, if any).
      edit.state = "queued";
      return { outcome: "retry", error, retryAfterMs: 0 };
    }
    // Refused as invalid while an earlier edit of ours is not stored yet: the server may
    // have run it first because that one was refused, and it may depend on it. Retry it
    // after that one (same ids); refused again then, it is dropped.
    if (FINAL_ERRORS.has(error.code) && !(error.code === "invalid_op" && this._overtook(edit, index))) {
      this.pending.splice(index, 1);
      edit.state = "dropped";
      this._stale = this.changed = true;
      this._updateCareful();
      return { outcome: "dropped", error };
    }
    edit.state = "queued";
    if (FINAL_ERRORS.has(error.code)) return { outcome: "retry", error, retryAfterMs: 0 };
    edit.refused = true;
    this._careful = true; // until it is stored, one submit at a time: nothing overtakes it
    this._failures += 1;
    this.paused = true;
    if (error.code === "not_joined") this.online = false; // the transport joins again
    return { outcome: "retry", error, retryAfterMs: retryDelayMs(error, this._failures) };
  }

  /**
   * Stored while an earlier edit of ours was not (it was refused and waits for its resend):
   * ops whose target that edit creates found nothing and were recorded as no-ops. Send
   * those ops again, as a new edit, after it. Only skipped ops: they changed nothing, so
   * applying them again cannot apply them twice.
   */
  _repairOvertaken(edit, index, skipped) {
    if (!Array.isArray(skipped) || !skipped.length || edit.repairChecked) return;
    edit.repairChecked = true; // its ack and its broadcast both carry the skipped ops
    if (!this._overtook(edit, index)) return; // a real clash: someone removed the target
    const ops = skipped.map((s) => edit.ops[s.index]).filter((op) => op !== undefined);
    if (!ops.length) return;
    const repair = {
      clientSeq: this._nextClientSeq++,
      ops: this.clone(ops),
      inverse: null,
      seq: null,
      state: "queued",
      attempt: 0,
      inView: false,
      repairs: edit, // in the view only once ``edit`` is confirmed (it shows them until then)
    };
    this.pending.splice(index + 1, 0, repair);
    this._stale = true;
  }

  /**
   * Did the server run ``edit`` without an earlier edit of ours? One connection's events are
   * handled in the order sent, so an earlier edit still awaiting an ack for an attempt sent
   * before this one was run first; one refused, lost or resent later was not.
   */
  _overtook(edit, index) {
    return this.pending
      .slice(0, index)
      .some((e) => e.seq === null && !(this._awaiting.has(e) && e.sentAt < edit.sentAt));
  }

  _updateCareful() {
    this._careful = this.pending.some((e) => e.refused && e.seq === null);
  }

  /** The retry timer fired: sending may go on. */
  resume() {
    this.paused = false;
  }

  // --- the connection ---------------------------------------------------------------------

  /** The connection dropped: acks in flight are lost; those edits go again after the join. */
  disconnected() {
    this.online = false;
    this.paused = false; // a new connection, a new rate budget
    for (const edit of this.pending) if (edit.state === "sent") edit.state = "queued";
    this._awaiting.clear(); // socket.io-client drops (or fails) the acks of a closed connection
  }

  /** A join ack: a snapshot at ``seq`` or the edits after our seq. Then submits may flow. */
  joined({ snapshot = null, seq = 0, edits = [] } = {}) {
    if (snapshot) this.reset(snapshot, Number(seq));
    for (const wire of edits) this.receive(wire);
    this.online = this._doc !== null;
    this.paused = false;
  }

  /** Start over from a snapshot (the document object is taken over, not copied). */
  reset(doc, seq) {
    this._doc = doc;
    this.seq = seq;
    this._layers = [];
    this._behind = [];
    for (const key of [...this.buffer.keys()]) if (key <= seq) this.buffer.delete(key);
    // Ours that the snapshot holds are done; the rest are replayed on it.
    this.pending = this.pending.filter((e) => e.seq === null || e.seq > seq);
    this.needsSnapshot = false;
    this._stale = this.changed = true;
    this._drain();
  }

  // --- confirmed edits ----------------------------------------------------------------------

  /** An edit of the log, in any order, duplicates fine. True if the confirmed seq moved. */
  receive(wire) {
    const seq = Number(wire && wire.seq);
    if (!Number.isInteger(seq) || seq <= this.seq) return false;
    if (!this.buffer.has(seq)) this.buffer.set(seq, wire);
    return this._doc !== null && this._drain();
  }

  /** The seqs to fetch (inclusive) when later edits wait in the buffer. */
  gap() {
    if (!this.buffer.size || this._doc === null) return null;
    return [this.seq + 1, Math.min(...this.buffer.keys()) - 1];
  }

  _drain() {
    let applied = false;
    while (this.buffer.has(this.seq + 1)) {
      const wire = this.buffer.get(this.seq + 1);
      this.buffer.delete(this.seq + 1);
      this._confirm(wire);
      applied = true;
    }
    return applied;
  }

  _confirm(wire) {
    const seq = Number(wire.seq);
    const mine = wire.client_id === this.clientId;
    const edit = mine ? this.pending.find((e) => e.clientSeq === wire.client_seq) : undefined;
    if (edit) {
      const index = this.pending.indexOf(edit);
      // The server tells the room before it answers the submit: this may come first.
      if (this._awaiting.has(edit)) this._repairOvertaken(edit, index, wire.skipped);
      edit.seq = seq;
      edit.state = "confirmed";
      this.pending.splice(index, 1); // a repair goes in after it, never before
    }
    this.seq = seq;
    if (edit && !this._behind.length && this._layers[0] === edit && !this._stale) {
      this._layers.shift(); // view = old confirmed + it + the rest = new confirmed + the rest
      return;
    }
    this.changed = true;
    if (!this._layers.length && !this._behind.length) {
      this._applyConfirmed(wire, edit); // nothing on top: straight into the one document
      if (this.pending.length) this._stale = true; // edits out of the view may apply now
      return;
    }
    this._behind.push([wire, edit]);
  }

  _applyConfirmed(wire, edit) {
    try {
      const result = this.applyEdit(this._doc, this.clone(wire.ops));
      if (edit) edit.inverse = result.inverse;
    } catch (exc) {
      // The server applied it to this very state: our replica is broken.
      this.errors.push(`edit ${wire.seq} does not apply locally: ${exc.message}`);
      this.needsSnapshot = true;
    }
  }

  /** Bring the view up to date: rewind the layers, apply confirmed edits, replay ours. */
  _rebase() {
    if (!this._stale && !this._behind.length) return;
    for (let i = this._layers.length - 1; i >= 0; i -= 1) {
      const { inverse } = this._layers[i];
      if (!inverse.length) continue;
      try {
        const { skipped } = this.applyEdit(this._doc, inverse);
        if (skipped.length) throw new Error("an inverse op found no target");
      } catch (exc) {
        this.errors.push(`rewinding edit ${this._layers[i].clientSeq} failed: ${exc.message}`);
        this.needsSnapshot = true;
        break;
      }
    }
    this._layers = [];
    for (const [wire, edit] of this._behind) this._applyConfirmed(wire, edit);
    this._behind = [];
    for (const edit of this.pending) {
      if (edit.repairs && this.pending.includes(edit.repairs)) continue;
      try {
        edit.inverse = this.applyEdit(this._doc, this.clone(edit.ops)).inverse;
        edit.inView = true;
        this._layers.push(edit);
      } catch {
        // Kept until the server answers: it may still apply at its head, or be refused.
        edit.inverse = null;
        edit.inView = false;
      }
    }
    this._stale = false;
  }
}
