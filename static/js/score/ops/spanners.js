// Ops on spanners (slurs, hairpins, ottava lines, pedal marks): put one, remove one.
// Mirror of server/score/ops/spanners.py; pure. The repair of spanners whose end an edit
// removed runs after every other op (see ../ops.js).

import { InvalidOp, MissingTarget } from '../errors.js';
import { get } from '../py.js';
import { MAX_SPANNERS, drop, orderProblem, places, put, shapeProblem } from '../spanners.js';
import { checkId, elementId, requireUnused, snapshot } from './common.js';

/** A validated spanner whose ends are events of the score; MissingTarget if one is gone. */
export function cleanSpanner(doc, raw, what = 'set_spanner') {
  const problem = shapeProblem(raw);
  if (problem !== null) throw new InvalidOp(`${what}: ${problem}`);
  const spanner = {
    id: checkId(get(raw, 'id'), 'spanner'),
    kind: raw.kind,
    start: checkId(get(raw, 'start'), 'spanner start'),
    end: checkId(get(raw, 'end'), 'spanner end'),
  };
  const where = places(doc, new Set([spanner.start, spanner.end]));
  for (const key of ['start', 'end']) {
    if (!where.has(spanner[key])) {
      throw new MissingTarget(`${what}: event ${spanner[key]} no longer exists`);
    }
  }
  const order = orderProblem(spanner.kind, where.get(spanner.start), where.get(spanner.end));
  if (order !== null) throw new InvalidOp(`${what}: ${order}`);
  return spanner;
}

/** Put a spanner: a new one, or a new kind or new ends for an existing id. */
function setSpanner(doc, op) {
  const spanner = cleanSpanner(doc, get(op, 'spanner'));
  const old = get(doc, 'spanners', []).find((sp) => sp.id === spanner.id) ?? null;
  if (old === null) {
    requireUnused(doc, [spanner.id]);
    if (get(doc, 'spanners', []).length >= MAX_SPANNERS) {
      throw new InvalidOp(`set_spanner: a score holds at most ${MAX_SPANNERS} spanners`);
    }
  }
  put(doc, spanner);
  if (old === null) return [{ op: 'remove_spanner', id: spanner.id }];
  return [{ op: 'set_spanner', spanner: snapshot(old) }];
}

function removeSpanner(doc, op) {
  const spannerId = elementId(op, 'id');
  const old = drop(doc, spannerId);
  if (old === null) throw new MissingTarget(`spanner ${spannerId} no longer exists`);
  return [{ op: 'set_spanner', spanner: old }];
}

export const HANDLERS = { set_spanner: setSpanner, remove_spanner: removeSpanner };
