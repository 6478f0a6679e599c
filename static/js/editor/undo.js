// Undo and redo of one person's own edits, as selective reverts planned on the server
// (the `revert` socket event, docs/protocol.md): the server undoes what is still ours
// and keeps what collaborators changed since, and says so. No socket and no DOM here:
// the editor hands in `revert` (the transport) and `online`; this owns the two stacks.

/** Milliseconds an undo waits for its edit's confirmation before naming it by client ids. */
export const CONFIRM_WAIT_MS = 5000;

/** What to tell the person about a revert ack (`verb`: "undo" or "redo"). */
export function describeRevert(ack, verb) {
  const done = verb === "redo" ? "Redone" : "Undone";
  const conflicts = (ack && ack.conflicts) || [];
  switch (ack && ack.outcome) {
    case "reverted":
      return done;
    case "partly_reverted":
      return `${done}, except: ${conflicts.join("; ")}`;
    case "already_reverted":
      return verb === "redo" ? "That edit was already redone" : "That edit was already undone";
    case "kept_by_others":
      return `Nothing could be ${verb === "redo" ? "redone" : "undone"}: ${conflicts.join("; ")}`;
    default:
      return "That edit changes nothing any more";
  }
}

export class UndoHistory {
  /**
   * @param {object} o
   * @param {Function} o.revert  (fields) -> Promise<ack|null>; fields are `{seq}` or
   *   `{client_id, client_seq}`; null means no answer (disconnected, timed out)
   * @param {Function} o.online  () -> boolean: can the server be asked now?
   * @param {string} o.clientId  the client id our edits are submitted with
   * @param {number} [o.confirmWait]  ms to wait for an unconfirmed edit's seq
   */
  constructor({ revert, online, clientId, confirmWait = CONFIRM_WAIT_MS }) {
    this.revert = revert;
    this.online = online;
    this.clientId = clientId;
    this.confirmWait = confirmWait;
    this.undoStack = []; // {clientSeq, ops, seq}: ours (clientSeq null for a redo edit)
    this.redoStack = []; // seqs of our undo edits
    this.waiters = new Map(); // clientSeq -> [resolve]
    this.generation = 0; // bumped by every new edit of ours: it empties the redo stack
    this.queue = Promise.resolve(); // one undo or redo at a time, in key-press order
  }

  /** A new edit of ours (the object `collab.submit` returned). */
  recorded(edit) {
    if (!edit) return;
    // Its confirmation cannot have come yet: broadcasts arrive after this returns.
    this.undoStack.push({ clientSeq: edit.clientSeq, ops: edit.ops, seq: null });
    this.redoStack.length = 0;
    this.generation += 1;
  }

  /** The server stored our edit `clientSeq` as `seq` (seen in its broadcast). */
  confirmed(clientSeq, seq) {
    for (const entry of this.undoStack) if (entry.clientSeq === clientSeq) entry.seq = seq;
    for (const resolve of this.waiters.get(clientSeq) || []) resolve();
    this.waiters.delete(clientSeq);
  }

  /** Our edit with these ops was refused for good: it never reached the score. */
  refused(ops) {
    this.undoStack = this.undoStack.filter((entry) => entry.seq !== null || entry.ops !== ops);
  }

  undo() {
    return this.enqueue(() => this.undoOnce());
  }

  redo() {
    return this.enqueue(() => this.redoOnce());
  }

  enqueue(step) {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => {});
    return run;
  }

  async undoOnce() {
    const entry = this.undoStack[this.undoStack.length - 1];
    if (!entry) return "Nothing of yours to undo";
    if (!this.online()) return "You are offline: undo needs the server, try again once you are back";
    if (entry.seq === null) {
      await this.confirmation(entry.clientSeq);
      if (!this.online()) return "You are offline: undo needs the server, try again once you are back";
    }
    const generation = this.generation;
    const fields = entry.seq !== null ? { seq: entry.seq } : { client_id: this.clientId, client_seq: entry.clientSeq };
    const ack = await this.revert(fields);
    const failed = this.failure(ack, "undo");
    if (failed) return failed;
    this.undoStack = this.undoStack.filter((e) => e !== entry);
    if (ack.seq != null && generation === this.generation) this.redoStack.push(ack.seq);
    return describeRevert(ack, "undo");
  }

  async redoOnce() {
    const seq = this.redoStack[this.redoStack.length - 1];
    if (seq === undefined) return "Nothing to redo";
    if (!this.online()) return "You are offline: redo needs the server, try again once you are back";
    const ack = await this.revert({ seq });
    const failed = this.failure(ack, "redo");
    if (failed) return failed;
    this.redoStack = this.redoStack.filter((s) => s !== seq);
    if (ack.seq != null) this.undoStack.push({ clientSeq: null, ops: null, seq: ack.seq });
    return describeRevert(ack, "redo");
  }

  /** Resolves once our edit `clientSeq` is confirmed, or after `confirmWait` ms. */
  confirmation(clientSeq) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.confirmWait);
      const waiting = this.waiters.get(clientSeq) || [];
      waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.waiters.set(clientSeq, waiting);
    });
  }

  /** The message for an ack that did not revert (the edit stays on its stack), or null. */
  failure(ack, verb) {
    if (!ack) return `The server did not answer; ${verb} again to try once more`;
    if (ack.ok) return null;
    const error = ack.error || {};
    if (error.code === "not_stored") return "That edit is not saved on the server yet; undo it again once it is";
    return `${verb === "redo" ? "Redo" : "Undo"} refused: ${error.message || error.code}`;
  }
}
