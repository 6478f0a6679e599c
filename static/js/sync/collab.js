// The collaboration client, prosemirror-collab style: a confirmed (seq, doc) from
// the server plus our unconfirmed edits replayed on top. Remote edits are applied
// strictly in seq order (early ones buffered, gaps fetched); after a reconnect we
// catch up from our seq and resubmit unconfirmed edits with the same client ids.

export class Collab {
  /**
   * @param {object} o
   * @param {object} o.socket  a socket.io-client socket (connects on its own)
   * @param {string} o.scoreId
   * @param {string} o.clientId  unique per page load; the server dedups by (client id, seq)
   * @param {Function} o.applyEdit  (doc, ops) -> {inverse, skipped}; throws on an invalid edit
   * @param {Function} o.clone  deep copy of a document
   * @param {Function} o.onChange  (doc, {remote, ops}) after the local document changed
   *   (``ops`` only for a local edit: what changed, for partial re-engraving)
   * @param {Function} o.onStatus  ({connected, joined, queued}) on connection changes
   */
  constructor(o) {
    Object.assign(this, o);
    this.version = 0;
    this.confirmed = null;
    this.doc = null;
    this.unconfirmed = []; // [{clientSeq, ops, inverse, sent}]
    this.buffer = new Map(); // seq -> edit that arrived early
    this.clientSeq = 0;
    this.joined = false;
    this.fetching = false;
    this.onRejected = o.onRejected || (() => {});
    this.socket.on("connect", () => this.join());
    this.socket.on("disconnect", () => {
      this.joined = false;
      this.status();
    });
    this.socket.on("edit", (edit) => this.receive(edit));
    if (this.socket.connected) this.join();
  }

  status() {
    this.onStatus({
      connected: this.socket.connected,
      joined: this.joined,
      queued: this.unconfirmed.length,
      version: this.version,
    });
  }

  join() {
    const since = this.confirmed ? this.version : null;
    this.socket.emit("join", { score: this.scoreId, since }, (ack) => {
      if (!ack || !ack.ok) {
        this.onStatus({ connected: true, joined: false, error: ack && ack.error });
        return;
      }
      // Far behind (or first join): a snapshot at ``seq``; otherwise edits after ``since``.
      const snapshot = ack.snapshot || ack.doc;
      if (snapshot) {
        this.confirmed = snapshot;
        this.version = ack.seq ?? ack.head ?? 0;
        this.buffer.clear();
      }
      for (const edit of ack.edits || []) this.receive(edit, { quiet: true });
      this.role = ack.role;
      this.joined = true;
      this.rebuild(true);
      // Resubmit everything not yet confirmed, in order, with the same client seqs.
      for (const edit of this.unconfirmed) this.send(edit);
      this.status();
    });
  }

  /** Apply ``ops`` locally now and send them; returns the edit or null if refused. */
  submit(ops) {
    if (!this.doc) return null;
    let result;
    try {
      result = this.applyEdit(this.doc, ops);
    } catch (error) {
      this.onRejected(error, ops);
      return null;
    }
    if (!result.inverse.length) return null;
    const edit = { clientSeq: ++this.clientSeq, ops, inverse: result.inverse };
    this.unconfirmed.push(edit);
    if (this.joined) this.send(edit);
    this.onChange(this.doc, { remote: false, ops });
    this.status();
    return edit;
  }

  send(edit) {
    const payload = {
      score: this.scoreId,
      client_id: this.clientId,
      client_seq: edit.clientSeq,
      ops: edit.ops,
    };
    this.socket.emit("submit", payload, (ack) => {
      if (!ack) return;
      if (ack.ok) {
        // The ack doubles as our own edit's arrival (the broadcast may skip the sender).
        this.receive({
          seq: ack.seq,
          ops: edit.ops,
          client_id: this.clientId,
          client_seq: edit.clientSeq,
        });
      } else if (ack.error && ack.error.code === "rate_limited") {
        // Too fast for the server's budget: send the same edit again a little later.
        const wait = Math.max(50, 1000 * (ack.error.retry_after || 0.2));
        setTimeout(() => this.joined && this.unconfirmed.includes(edit) && this.send(edit), wait);
      } else if (ack.error && ack.error.code !== "not_joined") {
        // Refused for good (invalid here, or not allowed): take it out of our document.
        // not_joined means the connection dropped and rejoined; the rejoin resends it.
        this.unconfirmed = this.unconfirmed.filter((e) => e !== edit);
        this.onRejected(ack.error, edit.ops);
        this.rebuild(true);
        this.status();
      }
    });
  }

  receive(edit, { quiet = false } = {}) {
    if (!this.confirmed || edit.seq <= this.version) return;
    this.buffer.set(edit.seq, edit);
    if (edit.seq > this.version + 1) {
      this.fetchGap(edit.seq - 1);
      return;
    }
    let changed = false;
    let foreign = false;
    while (this.buffer.has(this.version + 1)) {
      const next = this.buffer.get(this.version + 1);
      this.buffer.delete(this.version + 1);
      const mine = next.client_id === this.clientId;
      let result = null;
      try {
        result = this.applyEdit(this.confirmed, next.ops);
      } catch (error) {
        // The server applied it, so we cannot have: our replica is broken. Start again.
        console.error("confirmed edit failed locally; rejoining", error);
        this.confirmed = null;
        this.join();
        return;
      }
      this.version = next.seq;
      if (mine) {
        const i = this.unconfirmed.findIndex((e) => e.clientSeq === next.client_seq);
        if (i === 0 && !foreign) {
          // Our own oldest edit came back in the order we applied it: nothing moves.
          this.unconfirmed.shift().inverse = result.inverse;
          continue;
        }
        if (i >= 0) this.unconfirmed.splice(i, 1)[0].inverse = result.inverse;
      }
      foreign = true;
      changed = true;
    }
    if (changed) this.rebuild(!quiet);
    else if (!quiet) this.status();
  }

  /** Ask for everything after our seq (a lost broadcast is otherwise only noticed later). */
  catchUp() {
    if (!this.joined || this.fetching) return;
    this.fetching = true;
    this.socket.emit("fetch", { score: this.scoreId, from: this.version + 1 }, (ack) => {
      this.fetching = false;
      if (ack && ack.ok) for (const edit of ack.edits || []) this.receive(edit);
      this.refetch();
    });
  }

  /** Edits that arrived while a fetch was in flight may still sit behind a gap. */
  refetch() {
    const waiting = [...this.buffer.keys()].filter((seq) => seq > this.version + 1);
    if (waiting.length && !this.buffer.has(this.version + 1)) this.fetchGap(Math.max(...waiting) - 1);
  }

  fetchGap(upTo) {
    if (this.fetching) return;
    this.fetching = true;
    const from = this.version + 1;
    this.socket.emit("fetch", { score: this.scoreId, from, to: upTo }, (ack) => {
      this.fetching = false;
      if (ack && ack.ok) for (const edit of ack.edits || []) this.receive(edit);
      this.refetch();
    });
  }

  /** Local doc = confirmed doc + unconfirmed edits (dropping any that no longer apply). */
  rebuild(notify) {
    const doc = this.clone(this.confirmed);
    const kept = [];
    for (const edit of this.unconfirmed) {
      try {
        edit.inverse = this.applyEdit(doc, edit.ops).inverse;
        kept.push(edit);
      } catch (error) {
        this.onRejected(error, edit.ops);
      }
    }
    this.unconfirmed = kept;
    this.doc = doc;
    if (notify) this.onChange(this.doc, { remote: true });
    this.status();
  }
}
