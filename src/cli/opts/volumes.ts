// -v/--volume: "src:dst[:opts]" becomes a bind (HostConfig.Binds, a named volume too), a bare
// "/data" an anonymous volume (Config.Volumes). Like docker, only the source is looked at here;
// the daemon validates the rest of the spec.
import { resolve } from 'node:path';
import { OptionError } from './errors.ts';

export interface ParsedVolumes {
  binds: string[];
  volumes: Record<string, Record<string, never>>;
}

function isWindowsDrive(first: string): boolean {
  return first.length === 1 && /\p{L}/u.test(first);
}

/** The source part of a -v spec ('' for an anonymous volume). */
function sourceOf(spec: string): string {
  if (spec.length <= 2) return '';
  let i = spec.indexOf(':');
  if (i <= 0) return '';
  // docker's loader reads "c:" as a drive: the source runs to the next colon ("x:/data:ro" is a bind of "x:/data").
  if (isWindowsDrive(spec.slice(0, i))) {
    i = spec.indexOf(':', i + 1);
    if (i < 0) return '';
  }
  return spec.slice(0, i);
}

function isFilePath(source: string): boolean {
  return source === '.' || source === '..' || source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}

export function parseVolumes(specs: string[], cwd = process.cwd()): ParsedVolumes {
  const binds: string[] = [];
  const volumes: ParsedVolumes['volumes'] = {};
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec)) continue;
    seen.add(spec);
    if (spec === '') throw new OptionError('invalid empty volume spec');
    const source = sourceOf(spec);
    if (source === '') {
      volumes[spec] = {};
      continue;
    }
    let bind = spec;
    if (isFilePath(source) && !source.startsWith('/') && source.startsWith('.')) {
      bind = resolve(cwd, source) + spec.slice(source.length);
    }
    binds.push(bind);
  }
  return { binds, volumes };
}

/** --tmpfs "/run:rw,size=64m" -> {"/run": "rw,size=64m"}. */
export function parseTmpfs(specs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of specs) {
    const i = t.indexOf(':');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}
