// Exact rationals on BigInt (Python's fractions.Fraction, reduced to what the score needs)
// and Python-compatible parsing of offsets such as "3/8". Pure: imports nothing else.
//
// BigInt rather than Number: an offset such as "12345678901234567889/12345678901234567890"
// must compare exactly as it does in Python, and denominators of tuplets multiply quickly.

import { ValueError } from './errors.js';

function gcd(a, b) {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b) [a, b] = [b, a % b];
  return a;
}

export class Fraction {
  constructor(n, d = 1n) {
    n = BigInt(n);
    d = BigInt(d);
    if (d === 0n) throw new ValueError(`Fraction(${n}, 0)`);
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d) || 1n;
    this.n = n / g;
    this.d = d / g;
  }

  add(o) {
    return new Fraction(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  sub(o) {
    return new Fraction(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  mul(o) {
    return new Fraction(this.n * o.n, this.d * o.d);
  }
  div(o) {
    return new Fraction(this.n * o.d, this.d * o.n);
  }
  cmp(o) {
    const a = this.n * o.d;
    const b = o.n * this.d;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  eq(o) {
    return this.n === o.n && this.d === o.d;
  }
  lt(o) {
    return this.cmp(o) < 0;
  }
  le(o) {
    return this.cmp(o) <= 0;
  }
  gt(o) {
    return this.cmp(o) > 0;
  }
  ge(o) {
    return this.cmp(o) >= 0;
  }
  isInteger() {
    return this.d === 1n;
  }
  /** format_fraction: "3/8", or "2" for whole numbers. */
  toString() {
    return this.d === 1n ? `${this.n}` : `${this.n}/${this.d}`;
  }
}

export const ZERO = new Fraction(0n);

export function frac(n, d = 1) {
  return new Fraction(BigInt(n), BigInt(d));
}

// Python's str.isspace() characters: \s in a str regex and str.strip() use this set.
export const PY_WS =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

// fractions._RATIONAL_FORMAT of CPython 3.11, including its `d*` typo in the decimal part.
const RATIONAL = new RegExp(
  `^[${PY_WS}]*([-+]?)(?=[0-9]|\\.[0-9])([0-9]*|[0-9]+(?:_[0-9]+)*)` +
    `(?:(?:/([0-9]+(?:_[0-9]+)*))?|(?:\\.(d*|[0-9]+(?:_[0-9]+)*))?` +
    `(?:e([-+]?[0-9]+(?:_[0-9]+)*))?)[${PY_WS}]*$`,
  'i',
);

function pyInt(text) {
  if (!/^[0-9]+(?:_[0-9]+)*$/.test(text))
    throw new ValueError(`invalid literal for int(): '${text}'`);
  return BigInt(text.replaceAll('_', ''));
}

/** Python's Fraction(text) for a str (ASCII digits only; Python also takes Unicode digits). */
export function fractionFromString(text) {
  const m = RATIONAL.exec(text);
  if (m === null) throw new ValueError(`Invalid literal for Fraction: ${text}`);
  const [, sign, num, denom, decimal, exp] = m;
  let numerator = num ? pyInt(num) : 0n;
  let denominator = 1n;
  if (denom) {
    denominator = pyInt(denom);
  } else {
    if (decimal) {
      const digits = decimal.replaceAll('_', '');
      const scale = 10n ** BigInt(digits.length);
      numerator = numerator * scale + pyInt(digits);
      denominator *= scale;
    }
    if (exp) {
      const e = BigInt(exp.replaceAll('_', ''));
      if (e >= 0n) numerator *= 10n ** e;
      else denominator *= 10n ** -e;
    }
  }
  if (sign === '-') numerator = -numerator;
  return new Fraction(numerator, denominator);
}
