// docker/cli's inspect output for every `inspect` command: the objects' raw JSON indented with
// four spaces inside `[...]` by default, one compact array for `--format json`, or a Go template
// run on each object. Lookups that fail are collected and reported together at the end (exit 1).
import type { CommandContext } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import type { Template } from '../../format/index.ts';
import { TemplateError } from '../../format/index.ts';
import { errorText, parseFormat } from '../shared.ts';

/** Go's json.Indent(dst, src, "", indent): re-indents raw JSON text without re-encoding values. */
export function indentJson(src: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let needIndent = false;
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inString) {
      out += c;
      if (c === '\\') out += src[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false;
      depth++;
      out += '\n' + indent.repeat(depth);
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '{' || c === '[') {
      out += c;
      needIndent = true;
    } else if (c === ',') {
      out += c + '\n' + indent.repeat(depth);
    } else if (c === ':') {
      out += ': ';
    } else if (c === '}' || c === ']') {
      if (needIndent) needIndent = false; // empty: stays {} or []
      else {
        depth--;
        out += '\n' + indent.repeat(depth);
      }
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Fields whose values are free-form maps in docker's Go types: a missing key there prints
 * <no value>, while a field a Go struct lacks is an error (docker first runs the template on its
 * typed struct, then on the raw JSON with missingkey=error).
 */
const MAP_FIELDS = new Set(['Labels', 'Options', 'Networks', 'Ports', 'Data', 'Attributes', 'ExposedPorts', 'Volumes', 'DriverOpts',
  'Annotations', 'Sysctls', 'StorageOpt', 'Tmpfs', 'Config', 'Containers', 'Aux', 'Status', 'Metadata']);

/** Runs an inspect template with docker's missing-key behaviour (see MAP_FIELDS). */
function executeInspect(strict: Template, lenient: Template, data: unknown): string {
  try {
    return strict.execute(data);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    const chain = /at <\.([^>]*)>: map has no entry for key/.exec(err.message)?.[1]?.split('.') ?? [];
    if (chain.length >= 2 && MAP_FIELDS.has(chain[chain.length - 2])) return lenient.execute(data);
    throw err;
  }
}

/** One object found by a lookup: its raw JSON text as the daemon sent it. */
export type Lookup = (ref: string) => Promise<string>;

/**
 * Looks up every reference and prints them as docker inspect does. Failed lookups print their
 * error (one per line) and make the command exit 1 after the rest is printed.
 */
/**
 * `goType`: the Go type docker executes the template on first (e.g. "volume.Volume"): a field it
 * lacks is then "can't evaluate field X in type T", as docker says, not the map's error.
 */
export async function inspectAll(ctx: CommandContext, refs: string[], format: string, lookup: Lookup, goType?: string): Promise<number> {
  let tmpl: Template | undefined;
  let lenient: Template | undefined;
  if (format && format !== 'json') {
    tmpl = parseFormat(format, 'template parsing error: ', 64, { missingKey: 'error' });
    lenient = parseFormat(format, 'template parsing error: ', 64);
  }
  const raws: string[] = [];
  const errors: string[] = [];
  let text = '';
  for (const ref of refs) {
    let raw: string;
    try {
      raw = await lookup(ref);
    } catch (err) {
      errors.push(errorText(err));
      continue;
    }
    if (tmpl) {
      try {
        text += executeInspect(tmpl, lenient!, JSON.parse(raw)) + '\n';
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        const msg = goType ? err.message.replace(/(at <\.([A-Za-z0-9_]+)>: )map has no entry for key "\2"$/, `$1can't evaluate field $2 in type ${goType}`) : err.message;
        errors.push('template parsing error: ' + msg);
      }
    } else {
      raws.push(raw.trim());
    }
  }
  if (tmpl) ctx.stdout.write(text || '\n');
  else if (!raws.length) ctx.stdout.write('[]\n');
  else if (format === 'json') ctx.stdout.write(`[${raws.join(',')}]\n`);
  else ctx.stdout.write(indentJson(`[${raws.join(',')}]`) + '\n');
  if (errors.length) throw new StatusError(1, errors.join('\n'));
  return 0;
}
