// Edit operations: one registry, applyOp and the all-or-nothing applyEdit.
// Mirror of server/score/ops/__init__.py; pure (no DOM, no network), loaded by the browser
// as /static/js/score/ops.js and by Node for the tests.
//
// An op is a JSON object {op: name, ...} addressing elements by ID and musical position.
// Applying it mutates the document in place and returns its exact inverse as a list of ops.

import { InvalidOp, MissingTarget, ScoreError } from './errors.js';
import { hasOwn, isDict, pyRepr } from './py.js';
import { HANDLERS as BAR_HANDLERS } from './ops/bars.js';
import { HANDLERS as EVENT_HANDLERS } from './ops/events.js';
import { HANDLERS as SPANNER_HANDLERS } from './ops/spanners.js';
import { HANDLERS as STRUCTURE_HANDLERS } from './ops/structure.js';
import { beforeOp, repair } from './spanners.js';

export const HANDLERS = {
  ...EVENT_HANDLERS,
  ...BAR_HANDLERS,
  ...STRUCTURE_HANDLERS,
  ...SPANNER_HANDLERS,
};
export const OP_NAMES = Object.keys(HANDLERS).sort();
export const MAX_OPS_PER_EDIT = 2000;

/** Apply one op; returns its inverse. Throws InvalidOp or MissingTarget, changing nothing. */
export function applyOp(doc, op) {
  if (!isDict(op)) throw new InvalidOp('an op must be an object');
  const name = hasOwn(op, 'op') ? op.op : null;
  // hasOwn: op names such as "constructor" must not reach Object.prototype.
  if (typeof name !== 'string' || !hasOwn(HANDLERS, name)) {
    throw new InvalidOp(`unknown op ${pyRepr(name)}`);
  }
  if (hasOwn(SPANNER_HANDLERS, name)) return HANDLERS[name](doc, op);
  // Any other op may remove a spanner's end: shrink or remove it, and undo that too.
  const before = beforeOp(doc);
  const inverse = HANDLERS[name](doc, op);
  return [...inverse, ...repair(doc, before)];
}

function rollback(doc, undoStack) {
  for (const inverse of [...undoStack].reverse()) {
    for (const inverseOp of inverse) applyOp(doc, inverseOp);
  }
}

/**
 * Apply a group of ops as one edit, all or nothing: returns {inverse, skipped}.
 *
 * An op whose target has vanished is skipped and reported (a recorded no-op); any other
 * error undoes the ops already applied and is re-thrown as a ScoreError carrying the
 * failing op's index (`opIndex`), so the document is left exactly as it was.
 */
export function applyEdit(doc, ops) {
  if (!Array.isArray(ops) || !ops.length)
    throw new InvalidOp('an edit needs a non-empty list of ops');
  if (ops.length > MAX_OPS_PER_EDIT) {
    throw new InvalidOp(`an edit holds at most ${MAX_OPS_PER_EDIT} ops`);
  }
  const result = { inverse: [], skipped: [] };
  const undoStack = [];
  ops.forEach((op, index) => {
    try {
      undoStack.push(applyOp(doc, op));
    } catch (exc) {
      if (exc instanceof MissingTarget) {
        result.skipped.push({ index, code: exc.code, message: exc.message });
        return;
      }
      rollback(doc, undoStack);
      if (exc instanceof ScoreError) {
        exc.opIndex = index;
        throw exc;
      }
      // A malformed payload that slipped past validation must not corrupt the score.
      throw new InvalidOp(`op ${index} cannot be applied: ${exc.message ?? exc}`, {
        opIndex: index,
      });
    }
  });
  for (const inverse of undoStack.reverse()) result.inverse.push(...inverse);
  return result;
}

/** Apply an edit's inverse (undo). The inverse of a valid edit always applies. */
export function invert(doc, inverse) {
  for (const op of inverse) applyOp(doc, op);
}

export { InvalidOp, MissingTarget, ScoreError };
