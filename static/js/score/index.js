// The score domain in the browser: one import for the model, the ops and their errors.
// Mirror of server/score/__init__.py; pure.

export { InvalidOp, MissingTarget, ScoreError } from './errors.js';
export { checkInvariants, clone, findEvent, findNote, findPart, newDocument } from './model.js';
export { OP_NAMES, applyEdit, applyOp, invert } from './ops.js';
