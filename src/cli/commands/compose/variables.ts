// `compose config --variables`: the variables the files use, found in the model loaded without
// interpolation, as compose-go's template.ExtractVariables reports them (name, default, the
// `:+` alternate value, and whether `:?` makes it required).

export interface Variable {
  Name: string;
  DefaultValue: string;
  PresenceValue: string;
  Required: boolean;
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** The end of a `${...}` that starts at `open` (the `{`), braces nested; -1 if it never closes. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function fromString(s: string, out: Map<string, Variable>): void {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$') continue;
    if (s[i + 1] === '$') {
      i++;
      continue;
    }
    if (s[i + 1] === '{') {
      const end = closing(s, i + 1);
      if (end < 0) return;
      const body = s.slice(i + 2, end);
      const name = NAME.exec(body)?.[0];
      if (name) {
        const rest = body.slice(name.length);
        const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0] ?? '';
        const arg = rest.slice(op.length);
        const v: Variable = { Name: name, DefaultValue: '', PresenceValue: '', Required: false };
        if (op === ':-' || op === '-') v.DefaultValue = arg;
        else if (op === ':?' || op === '?') v.Required = true;
        else if (op === ':+' || op === '+') v.PresenceValue = arg;
        if (!out.has(name) || op) out.set(name, v);
        if (arg) fromString(arg, out);
      }
      i = end;
      continue;
    }
    const name = NAME.exec(s.slice(i + 1))?.[0];
    if (name) {
      if (!out.has(name)) out.set(name, { Name: name, DefaultValue: '', PresenceValue: '', Required: false });
      i += name.length;
    }
  }
}

/** Every variable of every string (keys and values) in the model, by name. */
export function extractVariables(value: unknown, out = new Map<string, Variable>()): Map<string, Variable> {
  if (typeof value === 'string') fromString(value, out);
  else if (Array.isArray(value)) for (const v of value) extractVariables(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      fromString(k, out);
      extractVariables(v, out);
    }
  }
  return out;
}

const yamlString = (s: string): string => (s === '' || /^[\s]|[\s]$|[:#{}[\],&*!|>'"%@`]|^(true|false|null|~|[-+]?\d)/i.test(s) ? JSON.stringify(s) : s);

/** yaml.v3's Marshal of the map: keys sorted, the struct's fields lower-cased, 4-space indent. */
export function variablesYaml(vars: Map<string, Variable>): string {
  return [...vars.keys()].sort().map((k) => {
    const v = vars.get(k)!;
    return `${k}:\n    name: ${yamlString(v.Name)}\n    defaultvalue: ${yamlString(v.DefaultValue)}\n    presencevalue: ${yamlString(v.PresenceValue)}\n    required: ${v.Required}\n`;
  }).join('');
}

/** The JSON form: the map with Go's field names, keys sorted, indented as compose's ToStandardJSON. */
export function variablesJson(vars: Map<string, Variable>): string {
  const obj: Record<string, Variable> = {};
  for (const k of [...vars.keys()].sort()) obj[k] = vars.get(k)!;
  return JSON.stringify(obj, null, 4) + '\n';
}
