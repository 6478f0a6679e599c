// Spanners: slurs, hairpins, ottava lines and pedal marks, anchored on event IDs.
// Mirror of server/score/spanners.py (see its docstring for the rules); pure.
//
// A spanner whose end an edit removes shrinks to the nearest event of the same part and
// voice still inside it, or is removed when nothing is left to hold it; `repair` runs
// after every op and returns the ops that put the spanners back.

import { durValue } from './durations.js';
import { ZERO } from './fraction.js';
import { get, isDict, own, pyRepr, unknownKeys } from './py.js';

export const SPANNER_KINDS = ['slur', 'crescendo', 'diminuendo', '8va', '8vb', '15ma', '15mb', 'pedal'];
export const MAX_SPANNERS = 4096;

// A place: [part id, voice, measure id, measure index, offset (Fraction)].

/** Where each event is (only those in `wanted`, a Set, when given). */
export function places(doc, wanted = null) {
  const out = new Map();
  for (const part of doc.parts) {
    doc.measures.forEach((measure, index) => {
      const bar = own(part.bars, measure.id);
      if (bar === undefined) return;
      for (const [voice, events] of Object.entries(bar.voices)) {
        let offset = ZERO;
        for (const event of events) {
          if (wanted === null || wanted.has(event.id)) {
            out.set(event.id, [part.id, voice, measure.id, index, offset]);
          }
          offset = offset.add(durValue(event.dur));
        }
      }
    });
  }
  return out;
}

export function ends(doc) {
  const out = new Set();
  for (const sp of get(doc, 'spanners', [])) {
    out.add(sp.start);
    out.add(sp.end);
  }
  return out;
}

/** -1, 0 or 1: (measure index, offset) of a against b. */
function cmpAt(a, b) {
  if (a[3] !== b[3]) return a[3] < b[3] ? -1 : 1;
  return a[4].cmp(b[4]);
}

/** Why `start` .. `end` cannot hold a spanner of `kind`, or null. */
export function orderProblem(kind, start, end) {
  if (start[0] !== end[0]) return 'a spanner starts and ends in one part';
  if (cmpAt(start, end) > 0) return 'a spanner cannot end before it starts';
  if (cmpAt(start, end) === 0) {
    return `a ${kind === 'slur' ? 'slur' : 'spanner'} joins two notes at different times`;
  }
  return null;
}

/** Why `raw` is not a spanner object (ids are checked by the ops), or null. */
export function shapeProblem(raw) {
  if (!isDict(raw)) return 'a spanner must be an object';
  const unknown = unknownKeys(raw, ['id', 'kind', 'start', 'end']);
  if (unknown.length) return `spanner: unknown fields ${pyRepr(unknown)}`;
  if (!SPANNER_KINDS.includes(get(raw, 'kind'))) {
    return `spanner kind must be one of ${SPANNER_KINDS.join(', ')}`;
  }
  return null;
}

const byId = (a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0);

/** The invariants of the spanners list (for checkInvariants). */
export function problems(doc) {
  const spanners = get(doc, 'spanners');
  if (spanners === null) return [];
  if (!Array.isArray(spanners) || !spanners.length) return ['spanners must be a non-empty list'];
  const out = [];
  const ids = spanners.map((sp) => get(sp, 'id'));
  const sorted = [...spanners].sort(byId).map((sp) => String(get(sp, 'id')));
  if (ids.some((id, k) => id !== sorted[k])) out.push('spanners are not sorted by id');
  if (spanners.length > MAX_SPANNERS) out.push(`a score holds at most ${MAX_SPANNERS} spanners`);
  const where = places(doc, ends(doc));
  for (const sp of spanners) {
    let problem = shapeProblem(sp);
    if (problem === null) {
      const start = where.get(sp.start);
      const end = where.get(sp.end);
      if (start === undefined || end === undefined) problem = 'an end is not an event of the score';
      else problem = orderProblem(sp.kind, start, end);
    }
    if (problem !== null) out.push(`spanner ${get(sp, 'id')}: ${problem}`);
  }
  return out;
}

/** Insert or replace `spanner` (by id), keeping the list sorted. */
export function put(doc, spanner) {
  const kept = get(doc, 'spanners', []).filter((sp) => sp.id !== spanner.id);
  doc.spanners = [...kept, spanner].sort(byId);
}

/** Remove a spanner; returns it (or null if there was none). */
export function drop(doc, spannerId) {
  const spanners = get(doc, 'spanners', []);
  const k = spanners.findIndex((sp) => sp.id === spannerId);
  if (k < 0) return null;
  const [found] = spanners.splice(k, 1);
  if (!spanners.length) delete doc.spanners;
  return found;
}

/** What `repair` needs from before an op: where the ends were, the measure order. */
export function beforeOp(doc) {
  const spanners = get(doc, 'spanners');
  if (!spanners || !spanners.length) return null;
  return [places(doc, ends(doc)), doc.measures.map((m) => m.id)];
}

/** Shrink or remove the spanners an op broke; returns the ops restoring them. */
export function repair(doc, before) {
  const spanners = get(doc, 'spanners');
  if (before === null || !spanners || !spanners.length) return [];
  const [was, oldOrder] = before;
  const now = places(doc, ends(doc));
  const indexNow = new Map(doc.measures.map((m, i) => [m.id, i]));
  const undo = [];
  for (const sp of [...doc.spanners]) {
    const start = now.get(sp.start);
    const end = now.get(sp.end);
    if (start !== undefined && end !== undefined && orderProblem(sp.kind, start, end) === null) {
      continue;
    }
    let fixed = null;
    if (start !== undefined && end === undefined && was.has(sp.end)) {
      const newEnd = nearest(doc, was.get(sp.end), oldOrder, indexNow, start, sp.kind, -1);
      fixed = newEnd === null ? null : { ...sp, end: newEnd };
    } else if (end !== undefined && start === undefined && was.has(sp.start)) {
      const newStart = nearest(doc, was.get(sp.start), oldOrder, indexNow, end, sp.kind, 1);
      fixed = newStart === null ? null : { ...sp, start: newStart };
    }
    undo.push({ op: 'set_spanner', spanner: { ...sp } });
    if (fixed === null) drop(doc, sp.id);
    else put(doc, fixed);
  }
  return undo;
}

function nearest(doc, lost, oldOrder, indexNow, other, kind, direction) {
  const [partId, voice, measureId, , offset] = lost;
  const k = oldOrder.indexOf(measureId);
  let limit = null;
  for (let j = k; direction < 0 ? j >= 0 : j < oldOrder.length; j += direction < 0 ? -1 : 1) {
    if (indexNow.has(oldOrder[j])) {
      limit = [indexNow.get(oldOrder[j]), j === k ? offset : null];
      break;
    }
  }
  if (limit === null) return null;
  const [limitIndex, limitOffset] = limit;
  let best = null;
  for (const [eventId, place] of places(doc)) {
    if (place[0] !== partId || place[1] !== voice) continue;
    let inside;
    if (limitOffset === null) {
      inside = direction < 0 ? place[3] <= limitIndex : place[3] >= limitIndex;
    } else {
      const c = cmpAt(place, [null, null, null, limitIndex, limitOffset]);
      inside = direction < 0 ? c <= 0 : c >= 0;
    }
    const [start, end] = direction < 0 ? [other, place] : [place, other];
    if (!inside || orderProblem(kind, start, end) !== null) continue;
    if (best === null || (direction < 0 ? cmpAt(place, best[0]) > 0 : cmpAt(place, best[0]) < 0)) {
      best = [place, eventId];
    }
  }
  return best === null ? null : best[1];
}
