// Variable substitution as compose-go's template package does it (template/template.go): `$V`,
// `${V}`, `${V:-d}`, `${V-d}`, `${V:?e}`, `${V?e}`, `${V:+r}`, `${V+r}`, nested templates in the
// default/error/replacement part, `$$` for a literal `$`. Hand-written: the exact grammar (a Go
// regexp whose greedy `.*` runs to the last `}` of the line, then a split at the first balanced
// brace) decides what users' files mean, and no npm library follows it.

/** A `${...}` that does not parse ("Invalid template: ..."). */
export class InvalidTemplateError extends Error {
  readonly template: string;
  constructor(template: string) {
    super(`Invalid template: ${JSON.stringify(template)}`);
    this.template = template;
  }
}

/** `${V:?reason}` / `${V?reason}` with V missing. */
export class MissingRequiredError extends Error {
  constructor(variable: string, reason: string) {
    super(reason ? `required variable ${variable} is missing a value: ${reason}` : `required variable ${variable} is missing a value`);
  }
}

/** Returns the value, or undefined when the variable is not set. */
export type Lookup = (name: string) => string | undefined;

const NAME_START = /[_a-zA-Z]/;
const NAME_CHAR = /[_a-zA-Z0-9]/;

/** Substitutes the variables of `template`; `onMissing` hears each plain `$V`/`${V}` left unset. */
export function substitute(template: string, lookup: Lookup, onMissing?: (name: string) => void): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const next = template[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next !== undefined && NAME_START.test(next)) {
      let end = dollar + 2;
      while (end < template.length && NAME_CHAR.test(template[end]!)) end++;
      const name = template.slice(dollar + 1, end);
      out += plain(name, lookup, onMissing);
      i = end;
      continue;
    }
    if (next !== '{') {
      // Not a template (`a $ string`, `$}`, `$1`): kept as written.
      out += '$';
      i = dollar + 1;
      continue;
    }
    const matchEnd = bracedMatchEnd(template, dollar + 2);
    if (matchEnd < 0) throw new InvalidTemplateError(template);
    // The match runs from `${` to matchEnd (exclusive); its head ends at the first balanced `}`.
    const match = template.slice(dollar, matchEnd);
    const close = firstClosingBrace(match);
    const head = close < 0 ? match : match.slice(0, close + 1);
    const rest = close < 0 ? '' : match.slice(close + 1);
    const body = head.slice(2, -1);
    const op = operatorOf(body);
    if (!op) {
      out += plain(body, lookup, onMissing);
    } else {
      out += applyOperator(op.name, op.sep, op.arg, lookup, onMissing) + substitute(rest, lookup, onMissing);
    }
    i = matchEnd;
  }
  return out;
}

function plain(name: string, lookup: Lookup, onMissing?: (name: string) => void): string {
  const value = lookup(name);
  if (value === undefined) {
    onMissing?.(name);
    return '';
  }
  return value;
}

/**
 * Where the regexp `\$\{[_a-z][_a-z0-9]*(?::?[-+?](.*))?\}` (case-insensitive, `.` not matching a
 * newline) ends when it matches at `start` (just after `${`); -1 when it does not match.
 */
function bracedMatchEnd(s: string, start: number): number {
  if (start >= s.length || !NAME_START.test(s[start]!)) return -1;
  let j = start + 1;
  while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
  let k = j;
  if (s[k] === ':') k++;
  if (s[k] === '-' || s[k] === '+' || s[k] === '?') {
    // Greedy `.*` then `}`: the last `}` before the end of the line.
    const lineEnd = s.indexOf('\n', k + 1);
    const limit = lineEnd < 0 ? s.length : lineEnd;
    const last = s.lastIndexOf('}', limit - 1);
    if (last > k) return last + 1;
  }
  return s[j] === '}' ? j + 1 : -1;
}

function firstClosingBrace(s: string): number {
  let open = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '}') {
      open--;
      if (open === 0) return i;
    }
    if (s.startsWith('${', i)) {
      open++;
      i++;
    }
  }
  return -1;
}

function operatorOf(body: string): { name: string; sep: string; arg: string } | undefined {
  let j = 0;
  while (j < body.length && NAME_CHAR.test(body[j]!)) j++;
  if (j === body.length) return undefined;
  const two = body.slice(j, j + 2);
  const sep = two === ':-' || two === ':+' || two === ':?' ? two : body[j]!;
  return { name: body.slice(0, j), sep, arg: body.slice(j + sep.length) };
}

function applyOperator(name: string, sep: string, arg: string, lookup: Lookup, onMissing?: (name: string) => void): string {
  const value = lookup(name);
  switch (sep) {
    case ':-':
      return value === undefined || value === '' ? substitute(arg, lookup, onMissing) : value;
    case '-':
      return value === undefined ? substitute(arg, lookup, onMissing) : value;
    case ':+':
      return value !== undefined && value !== '' ? substitute(arg, lookup, onMissing) : (value ?? '');
    case '+':
      return value !== undefined ? substitute(arg, lookup, onMissing) : '';
    case ':?':
    case '?':
      if (value === undefined || (sep === ':?' && value === '')) {
        throw new MissingRequiredError(name, substitute(arg, lookup, onMissing));
      }
      return value;
    default:
      throw new InvalidTemplateError(`\${${name}${sep}${arg}}`);
  }
}
