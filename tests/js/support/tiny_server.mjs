// A tiny in-memory authority for the collab core tests: applies edits at the head in
// arrival order with the JS score model, dedups by (client_id, client_seq), refuses a
// reused id with other ops, and answers join/fetch like server/sync/handlers.py.

import { applyEdit, clone, newDocument } from '../../../static/js/score/index.js';

export const JOIN_TAIL = 500; // edits a join answers with before it sends a snapshot

export class TinyServer {
  constructor(doc = newDocument()) {
    this.start = clone(doc);
    this.doc = doc;
    this.log = [];
    this.seen = new Map(); // "client_id:client_seq" -> seq
  }

  get head() {
    return this.log.length;
  }

  submit({ client_id, client_seq, ops, after = null }) {
    if (after !== null && !this.seen.has(`${client_id}:${after}`)) {
      return { ok: false, error: { code: 'out_of_order', message: `edit ${after} first`, after } };
    }
    const key = `${client_id}:${client_seq}`;
    if (this.seen.has(key)) {
      const seq = this.seen.get(key);
      if (JSON.stringify(this.log[seq - 1].ops) !== JSON.stringify(ops)) {
        return { ok: false, error: { code: 'client_seq_reused', message: 'other ops' } };
      }
      return { ok: true, seq, skipped: [], duplicate: true };
    }
    let skipped;
    try {
      ({ skipped } = applyEdit(this.doc, clone(ops)));
    } catch (exc) {
      return { ok: false, error: { code: 'invalid_op', message: exc.message, op_index: exc.opIndex } };
    }
    const seq = this.log.length + 1;
    this.log.push({ seq, client_id, client_seq, ops: clone(ops), skipped });
    this.seen.set(key, seq);
    return { ok: true, seq, skipped, duplicate: false };
  }

  join(since) {
    if (since === null || since > this.head || this.head - since > JOIN_TAIL) {
      return { ok: true, role: 'editor', snapshot: clone(this.doc), seq: this.head, head: this.head, edits: [] };
    }
    return { ok: true, role: 'editor', seq: since, head: this.head, edits: this.fetch(since + 1).edits };
  }

  fetch(from, to = null) {
    const last = Math.min(to ?? this.head, this.head, from + 499);
    return { ok: true, edits: this.log.slice(from - 1, last).map((w) => clone(w)), head: this.head };
  }

  /** The document replayed from the start through the whole log. */
  replay() {
    const doc = clone(this.start);
    for (const wire of this.log) applyEdit(doc, clone(wire.ops));
    return doc;
  }
}
