// Typed errors raised by the score model and its operations (mirror of server/score/errors.py).
// Pure: imports nothing.

export class ScoreError extends Error {
  constructor(message, { opIndex = null } = {}) {
    super(message);
    this.name = this.constructor.name;
    this.message = message;
    this.opIndex = opIndex;
  }

  get code() {
    return 'score_error';
  }

  toDict() {
    const out = { code: this.code, message: this.message };
    if (this.opIndex !== null) out.op_index = this.opIndex;
    return out;
  }
}

/** The op is malformed or would break the score; the whole edit is refused. */
export class InvalidOp extends ScoreError {
  get code() {
    return 'invalid_op';
  }
}

/** The element an op addresses no longer exists; the op becomes a recorded no-op. */
export class MissingTarget extends ScoreError {
  get code() {
    return 'missing_target';
  }
}

/**
 * Stands in for Python's ValueError inside the pure helpers (durations, pitch):
 * op handlers turn it into InvalidOp exactly where the Python code does.
 */
export class ValueError extends Error {}
