import { toExponentialEven } from './decimal.ts';

// How template values behave like Go's: the data is JSON-like (strings, numbers, booleans, null,
// arrays, objects). Integral numbers from data are Go ints (docker's typed structs), other numbers
// are float64; a float literal with an integral value ({{3.0}}, {{1e6}}) is boxed as GoFloat so it
// still prints the way Go prints a float64.

/** A float64 whose value happens to be integral (JS can't tell 3 from 3.0). */
export class GoFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** Go's "invalid value": a missing map key or a nil interface; prints as <no value>. */
export const NO_VALUE: unique symbol = Symbol('no value');

export type Kind = 'invalid' | 'nil' | 'string' | 'int' | 'float' | 'bool' | 'slice' | 'map' | 'func';

export function kindOf(v: unknown): Kind {
  if (v === NO_VALUE || v === undefined) return 'invalid';
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
    case 'function': return 'func';
  }
  if (v instanceof GoFloat) return 'float';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

/** The number inside an int or float value. */
export function num(v: unknown): number {
  return v instanceof GoFloat ? v.value : Number(v);
}

/** Go's type name as fmt and the template errors print it. */
export function goTypeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return '<nil>';
    case 'string': return 'string';
    case 'int': return 'int';
    case 'float': return 'float64';
    case 'bool': return 'bool';
    case 'slice': return (v as unknown[]).every((e) => typeof e === 'string') ? '[]string' : '[]interface {}';
    case 'func': return 'func';
    case 'map': return 'map[string]interface {}';
  }
}

/** Go's truth for if/with/and/or/not: zero values and empty collections are false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return false;
    case 'string': return (v as string) !== '';
    case 'int': case 'float': return num(v) !== 0;
    case 'bool': return v as boolean;
    case 'slice': return (v as unknown[]).length > 0;
    case 'map': return mapKeys(v as object).length > 0;
    case 'func': return true;
  }
}

/** An object's keys as Go ranges and prints a map: sorted. Getters on classes count as keys. */
export function mapKeys(obj: object): string[] {
  return ownAndGetterKeys(obj).sort(compareStrings);
}

/** Keys in the object's own order (for JSON), including getters defined on its prototype chain. */
function ownAndGetterKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  let proto = Object.getPrototypeOf(obj);
  while (proto && proto !== Object.prototype) {
    for (const [name, desc] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (desc.get && !keys.includes(name)) keys.push(name);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return keys;
}

export function hasKey(obj: object, key: string): boolean {
  if (Object.prototype.hasOwnProperty.call(obj, key)) return true;
  if (Object.getPrototypeOf(obj) === Object.prototype) return false;
  return key in obj && key !== 'constructor';
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's %v (fmt.Sprint of one operand). */
export function formatValue(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return '<nil>';
    case 'string': return v as string;
    case 'int': return typeof v === 'bigint' ? v.toString() : String(v);
    case 'float': return formatFloatG(num(v), -1);
    case 'bool': return String(v);
    case 'slice': return `[${(v as unknown[]).map(formatValue).join(' ')}]`;
    case 'func': return '<func>';
    case 'map': {
      const obj = v as Record<string, unknown>;
      return `map[${mapKeys(obj).map((k) => `${k}:${formatValue(obj[k])}`).join(' ')}]`;
    }
  }
}

/** Go's %g (strconv 'g'): prec -1 is the shortest representation (what %v uses for floats). */
export function formatFloatG(f: number, prec: number, upper = false): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let [digits, exp] = splitExp(prec < 0 ? f.toExponential() : toExponentialEven(f, Math.max(prec, 1) - 1));
  if (digits.includes('.')) digits = digits.replace(/0+$/, '').replace(/\.$/, '');
  const nd = digitCount(digits);
  // Go: %e when the exponent is < -4 or >= the precision (6 for the shortest form)
  let eprec = prec < 0 ? 6 : Math.max(prec, 1);
  if (prec >= 0 && eprec > nd && nd >= exp + 1) eprec = nd;
  return exp < -4 || exp >= eprec ? expForm(digits, exp, upper) : plainForm(digits, exp);
}

function digitCount(digits: string): number {
  return digits.replace(/^-/, '').replace('.', '').length;
}

function splitExp(e: string): [string, number] {
  const i = e.indexOf('e');
  return [e.slice(0, i), Number(e.slice(i + 1))];
}

function expForm(digits: string, exp: number, upper: boolean): string {
  const sign = exp < 0 ? '-' : '+';
  const a = Math.abs(exp);
  return `${digits}${upper ? 'E' : 'e'}${sign}${a < 10 ? '0' : ''}${a}`;
}

function plainForm(digits: string, exp: number): string {
  const neg = digits.startsWith('-');
  const d = digits.replace(/^-/, '').replace('.', '');
  let out: string;
  if (exp >= d.length - 1) out = d + '0'.repeat(exp - (d.length - 1));
  else if (exp >= 0) out = `${d.slice(0, exp + 1)}.${d.slice(exp + 1)}`;
  else out = `0.${'0'.repeat(-exp - 1)}${d}`;
  return (neg ? '-' : '') + out;
}

/** Go's encoding/json with SetEscapeHTML(escapeHTML), as docker's `json` function uses it. */
export function goJson(v: unknown, escapeHTML = false): string {
  let s = JSON.stringify(toJsonValue(v)) ?? 'null';
  s = s.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  if (escapeHTML) s = s.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return s;
}

function toJsonValue(v: unknown): unknown {
  if (v === NO_VALUE || v === undefined) return null;
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of ownAndGetterKeys(v)) out[k] = toJsonValue((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
