// Form: barline styles, repeats, endings, and the order a score is played in.
// Mirror of server/score/form.py (see its docstring for the fields); pure.

import { isInt, pyLen, pyStrip } from './py.js';

export const BARLINES = ['double', 'final', 'dashed'];
export const FORM_FIELDS = ['barline', 'repeat_start', 'repeat_end', 'ending', 'rehearsal'];
export const MAX_REHEARSAL = 16;
export const MAX_TIMES = 9;
export const MAX_PLAYED = 20;

/** Why `value` cannot be the measure's `name`, or null. */
export function formProblem(name, value) {
  if (name === 'barline') {
    return BARLINES.includes(value) ? null : `barline must be one of ${BARLINES.join(', ')}`;
  }
  if (name === 'repeat_start') return value === true ? null : 'repeat_start takes true';
  if (name === 'repeat_end') {
    const ok = isInt(value) && value >= 2 && value <= MAX_TIMES;
    return ok ? null : `repeat_end takes the times played, 2..${MAX_TIMES}`;
  }
  if (name === 'ending') {
    const ok =
      Array.isArray(value) &&
      value.length >= 1 &&
      value.length <= MAX_TIMES &&
      value.every((n) => isInt(n) && n >= 1 && n <= MAX_TIMES) &&
      value.every((n, k) => k === 0 || value[k - 1] < n);
    return ok ? null : `ending takes increasing numbers 1..${MAX_TIMES}, e.g. [1] or [1, 2]`;
  }
  if (name === 'rehearsal') {
    const ok =
      typeof value === 'string' && pyLen(value) > 0 && pyLen(value) <= MAX_REHEARSAL && pyStrip(value) === value;
    return ok ? null : `rehearsal takes a mark of 1..${MAX_REHEARSAL} characters, e.g. A`;
  }
  return `unknown form field '${name}' (one of ${FORM_FIELDS.join(', ')})`;
}

/** Measure indexes in the order they are played: repeats taken, endings chosen by pass. */
export function playOrder(doc) {
  const measures = doc.measures;
  const order = [];
  let start = 0;
  let passes = 1;
  let i = 0;
  let afterEndings = false; // the last measure looked at was in an ending
  const taken = new Map(); // end-repeat index -> times gone back from it
  const limit = MAX_PLAYED * measures.length;
  while (i < measures.length && order.length < limit) {
    const m = measures[i];
    const ending = m.ending ?? null;
    if ((m.repeat_start && i !== start) || (afterEndings && ending === null)) {
      start = i; // a new section: a start-repeat, or past the endings
      passes = 1;
    }
    afterEndings = ending !== null;
    if (ending !== null && !ending.includes(passes)) {
      i += 1;
      continue;
    }
    order.push(i);
    const times = m.repeat_end ?? null;
    if (times !== null && (taken.get(i) ?? 0) < times - 1) {
      taken.set(i, (taken.get(i) ?? 0) + 1);
      passes += 1;
      i = start;
      afterEndings = false;
      continue;
    }
    if (times !== null) {
      taken.set(i, 0);
      if (ending === null) {
        start = i + 1;
        passes = 1;
      }
    }
    i += 1;
  }
  return order;
}
