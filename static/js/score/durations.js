// Exact rational durations: notated values (type, dots, tuplet) and rest filling.
// Mirror of server/score/durations.py; pure (imports only the other score modules).
//
// Durations are fractions of a whole note. A notated duration is an object
// {type: 4, dots: 1, tuplet: [3, 2]} (dots and tuplet optional).

import { ValueError } from './errors.js';
import { Fraction, ZERO, frac } from './fraction.js';
import { get, isDict, isInt, isList, isStr, pyRepr, unknownKeys } from './py.js';

export const TYPES = [1, 2, 4, 8, 16, 32, 64, 128];
export const MAX_DOTS = 3;
const TYPES_REPR = '(1, 2, 4, 8, 16, 32, 64, 128)';

// Only what formatFraction writes: Fraction("1e-100000000") would spend hours building the
// number, so exponents and decimals are refused. (Python's \d also takes non-ASCII digits.)
const FRACTION_PATTERN = /^([0-9]{1,9})(?:\/([0-9]{1,9}))?$/;

/** Read "3/8", "1" or a small integer as a non-negative Fraction. */
export function parseFraction(text) {
  if (isInt(text) && text >= 0 && text < 10 ** 9) return frac(text);
  const match = isStr(text) ? FRACTION_PATTERN.exec(text) : null;
  if (match === null) {
    throw new ValueError(`expected a non-negative fraction like '3/8', got ${pyRepr(text)}`);
  }
  const denominator = BigInt(match[2] ?? 1);
  if (denominator === 0n) throw new ValueError(`a fraction cannot divide by zero: ${pyRepr(text)}`);
  return new Fraction(BigInt(match[1]), denominator);
}

export function formatFraction(value) {
  return value.toString();
}

/** Check a notated duration and return it in canonical form (defaults omitted). */
export function validateDur(dur) {
  if (!isDict(dur)) {
    throw new ValueError(`a duration must be an object like {'type': 4}, got ${pyRepr(dur)}`);
  }
  const unknown = unknownKeys(dur, ['type', 'dots', 'tuplet']);
  if (unknown.length) throw new ValueError(`unknown duration fields: ${pyRepr(unknown)}`);
  const kind = get(dur, 'type');
  if (!isInt(kind) || !TYPES.includes(kind)) {
    throw new ValueError(`duration type must be one of ${TYPES_REPR}, got ${pyRepr(kind)}`);
  }
  const dots = get(dur, 'dots', 0);
  if (!isInt(dots) || !(dots >= 0 && dots <= MAX_DOTS)) {
    throw new ValueError(`dots must be 0..${MAX_DOTS}, got ${pyRepr(dots)}`);
  }
  const out = { type: kind };
  if (dots) out.dots = dots;
  const tuplet = get(dur, 'tuplet');
  if (tuplet !== null) {
    if (
      !isList(tuplet) ||
      tuplet.length !== 2 ||
      !tuplet.every((x) => isInt(x) && x >= 1 && x <= 32)
    ) {
      throw new ValueError(`tuplet must be [actual, normal] with 1..32, got ${pyRepr(tuplet)}`);
    }
    if (tuplet[0] !== tuplet[1]) out.tuplet = [tuplet[0], tuplet[1]];
  }
  return out;
}

/** The length of a notated duration in whole notes. */
export function durValue(dur) {
  const base = frac(1, dur.type);
  const dots = get(dur, 'dots', 0);
  let value = base.mul(frac(2).sub(frac(1, 2 ** dots)));
  const tuplet = get(dur, 'tuplet');
  if (tuplet && tuplet.length) value = value.mul(frac(tuplet[1], tuplet[0]));
  return value;
}

export function measureLength(time) {
  return frac(time[0], time[1]);
}

/**
 * Notated rests that add up to exactly `length`, beginning at `start`.
 *
 * Each binary rest is the longest value that starts on a multiple of itself, so
 * rests line up with the beat; anything else (the gap a triplet leaves behind) is
 * written in tuplet units of the odd factor.
 */
export function restDurations(length, start = ZERO) {
  if (length.le(ZERO)) return [];
  const den = length.d;
  let odd = den;
  while (odd % 2n === 0n) odd /= 2n;
  if (odd === 1n && start.mul(frac(128)).isInteger()) return alignedRests(length, start);
  if (odd === 1n) return binaryRests(length);
  let normal = 1n;
  while (normal * 2n < odd) normal *= 2n;
  const units = length.n;
  const binaryUnits = units - (units % odd);
  const baseType = (den / odd) * normal;
  if (baseType > BigInt(TYPES[TYPES.length - 1]) || odd > 32n) {
    throw new ValueError(`cannot notate a rest of ${length}`);
  }
  const result = binaryUnits ? binaryRests(new Fraction(binaryUnits, den)) : [];
  for (let i = 0n; i < units % odd; i += 1n) {
    result.push({ type: Number(baseType), tuplet: [Number(odd), Number(normal)] });
  }
  return result;
}

function alignedRests(length, start) {
  const result = [];
  let position = start;
  const end = start.add(length);
  while (position.lt(end)) {
    const kind = TYPES.find((k) => {
      const value = frac(1, k);
      return position.add(value).le(end) && position.div(value).isInteger();
    });
    // Less than a 128th left (after a dotted 128th): no rest fits, refuse.
    if (kind === undefined) throw new ValueError(`cannot notate a rest of ${length}`);
    result.push({ type: kind });
    position = position.add(frac(1, kind));
  }
  return result;
}

function binaryRests(length) {
  const result = [];
  let remaining = length;
  for (const kind of TYPES) {
    const value = frac(1, kind);
    while (remaining.ge(value)) {
      result.push({ type: kind });
      remaining = remaining.sub(value);
    }
  }
  if (!remaining.eq(ZERO)) throw new ValueError(`cannot notate a rest of ${length}`);
  return result;
}
