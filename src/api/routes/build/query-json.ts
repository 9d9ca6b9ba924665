// The JSON-valued query parameters of POST /build (buildargs, labels, cachefrom, ulimits,
// outputs) decoded as moby's json.Unmarshal into its Go types, failing with Go's words: the
// scanner's syntax errors (`invalid character 'x' looking for beginning of value`,
// `unexpected end of JSON input`) and its type errors (`json: cannot unmarshal number into Go
// value of type string`). Hand-written: Node's JSON.parse words errors its own way, and what the
// client sees must be dockerd's message.

/** Go's quoteChar: the offending byte as the scanner names it. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  // strconv.Quote's escapes, else the character itself.
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };
  if (named[c]) return `'${named[c]}'`;
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

/** Throws Go's scanner error for malformed JSON; returns nothing when `text` is well formed. */
export function checkGoJsonSyntax(text: string): void {
  let i = 0;
  const end = () => {
    throw new Error('unexpected end of JSON input');
  };
  const bad = (context: string) => {
    throw new Error(`invalid character ${quoteChar(text[i])} ${context}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= text.length) end();
      if (text[i] !== word[k]) bad(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) end();
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') bad('in string literal');
      if (c === '\\') {
        i++;
        if (i >= text.length) end();
        if ('"\\/bfnrt'.includes(text[i])) i++;
        else if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) {
            if (i >= text.length) end();
            if (!/[0-9a-fA-F]/.test(text[i])) bad('in \\u hexadecimal character escape');
          }
        } else bad('in string escape code');
        continue;
      }
      i++;
    }
  };
  const number = () => {
    if (text[i] === '-') {
      i++;
      if (i >= text.length) end();
      if (!/[0-9]/.test(text[i])) bad('in numeric literal');
    }
    if (text[i] === '0') i++;
    else while (i < text.length && /[0-9]/.test(text[i])) i++;
    if (text[i] === '.') {
      i++;
      if (i >= text.length) end();
      if (!/[0-9]/.test(text[i])) bad('after decimal point in numeric literal');
      while (i < text.length && /[0-9]/.test(text[i])) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (i >= text.length) end();
      if (!/[0-9]/.test(text[i])) bad('in exponent of numeric literal');
      while (i < text.length && /[0-9]/.test(text[i])) i++;
    }
  };
  const value = (): void => {
    ws();
    if (i >= text.length) end();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (i >= text.length) end();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (i >= text.length) end();
        if (text[i] !== '"') bad('looking for beginning of object key string');
        string();
        ws();
        if (i >= text.length) end();
        if (text[i] !== ':') bad('after object key');
        i++;
        value();
        ws();
        if (i >= text.length) end();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        bad('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (i >= text.length) end();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (i >= text.length) end();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        bad('after array element');
      }
    }
    if (c === '"') return string();
    if (c === '-' || /[0-9]/.test(c)) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    bad('looking for beginning of value');
  };
  value();
  ws();
  if (i < text.length) bad('after top-level value');
}

/** Go's name for a JSON value's kind in a type error. */
function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

const typeError = (v: unknown, goType: string, field?: string) =>
  new Error(`json: cannot unmarshal ${kindOf(v)} into Go ${field ? `struct field ${field}` : 'value'} of type ${goType}`);

function parse(text: string): unknown {
  checkGoJsonSyntax(text);
  return JSON.parse(text);
}

/** map[string]*string (buildargs): null values kept. */
export function decodeStringPtrMap(text: string): Record<string, string | null> {
  const v = parse(text);
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(v, 'map[string]*string');
  const out: Record<string, string | null> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val !== null && typeof val !== 'string') throw typeError(val, 'string');
    out[k] = val as string | null;
  }
  return out;
}

/** map[string]string (labels): a null value is Go's zero value, "". */
export function decodeStringMap(text: string, goType = 'map[string]string'): Record<string, string> {
  const v = parse(text);
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(v, goType);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val !== null && typeof val !== 'string') throw typeError(val, 'string');
    out[k] = (val as string | null) ?? '';
  }
  return out;
}

/** []string (cachefrom). */
export function decodeStringList(text: string): string[] {
  const v = parse(text);
  if (v === null) return [];
  if (!Array.isArray(v)) throw typeError(v, '[]string');
  return v.map((s) => {
    if (s !== null && typeof s !== 'string') throw typeError(s, 'string');
    return (s as string | null) ?? '';
  });
}

/** Go's int64 from a JSON number (a fraction or out of range is a type error, as Go says). */
function int64(v: unknown, field: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v !== 'number') throw typeError(v, 'int64', field);
  if (!Number.isInteger(v) || !Number.isSafeInteger(v)) throw new Error(`json: cannot unmarshal number ${v} into Go struct field ${field} of type int64`);
  return v;
}

/** Case-insensitive field lookup, as Go matches JSON keys to struct fields. */
function field(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const k = Object.keys(o).find((key) => key.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}

/** []*container.Ulimit (ulimits). */
export function decodeUlimits(text: string): { Name: string; Soft: number; Hard: number }[] {
  const v = parse(text);
  if (v === null) return [];
  if (!Array.isArray(v)) throw typeError(v, '[]*container.Ulimit');
  return v.filter((u) => u !== null).map((u) => {
    if (typeof u !== 'object' || Array.isArray(u)) throw typeError(u, 'container.Ulimit');
    const o = u as Record<string, unknown>;
    const name = field(o, 'Name');
    if (name !== undefined && name !== null && typeof name !== 'string') throw typeError(name, 'string', 'Ulimit.Name');
    return { Name: (name as string | undefined) ?? '', Hard: int64(field(o, 'Hard'), 'Ulimit.Hard'), Soft: int64(field(o, 'Soft'), 'Ulimit.Soft') };
  });
}

/** []buildbackend.BuildOutput (outputs). */
export function decodeOutputs(text: string): { Type: string; Attrs: Record<string, string> }[] {
  const v = parse(text);
  if (v === null) return [];
  if (!Array.isArray(v)) throw typeError(v, '[]buildbackend.BuildOutput');
  return v.map((e) => {
    if (e === null) return { Type: '', Attrs: {} };
    if (typeof e !== 'object' || Array.isArray(e)) throw typeError(e, 'buildbackend.BuildOutput');
    const o = e as Record<string, unknown>;
    const type = field(o, 'Type');
    if (type !== undefined && type !== null && typeof type !== 'string') throw typeError(type, 'string', 'BuildOutput.Type');
    const attrs = field(o, 'Attrs');
    if (attrs !== undefined && attrs !== null && (typeof attrs !== 'object' || Array.isArray(attrs))) throw typeError(attrs, 'map[string]string', 'BuildOutput.Attrs');
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries((attrs ?? {}) as Record<string, unknown>)) {
      if (val !== null && typeof val !== 'string') throw typeError(val, 'string', 'BuildOutput.Attrs');
      out[k] = (val as string | null) ?? '';
    }
    return { Type: (type as string | undefined) ?? '', Attrs: out };
  });
}
