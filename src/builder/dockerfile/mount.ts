// `RUN --mount=...` values: BuildKit instructions/commands_runmount.go (parseMount), with its
// defaults (bind; read-only except cache and tmpfs) and its error wording. Called at dispatch,
// once the ARG/ENV in force are known: `expand` expands each value (not the keys).

import { invalidParameter, parseGoBool, ramInBytes } from '../../common/index.ts';
import { withSuggestion } from './suggest.ts';
import type { MountSpec } from './types.ts';

const TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
const SHARING = ['shared', 'private', 'locked'] as const;
const KEYS = ['type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'mode', 'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'size', 'env'];

const fail = (msg: string) => invalidParameter(msg);

/** One CSV record as Go's encoding/csv reads it (quoted fields, `""` inside quotes). */
function csvFields(value: string): string[] {
  if (value === '') throw fail('failed to parse csv mounts: EOF');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (value[i] === '"') {
      const start = i;
      i++;
      for (;;) {
        if (i >= value.length) throw fail(`failed to parse csv mounts: parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += value[i++];
      }
      if (i < value.length && value[i] !== ',') {
        throw fail(`failed to parse csv mounts: parse error on line 1, column ${i - start + 1}: extraneous or missing " in quoted-field`);
      }
    } else {
      while (i < value.length && value[i] !== ',') {
        if (value[i] === '"') throw fail(`failed to parse csv mounts: parse error on line 1, column ${i + 1}: bare " in non-quoted-field`);
        field += value[i++];
      }
    }
    fields.push(field);
    if (i >= value.length) return fields;
    i++; // the comma
  }
}

function parseBool(key: string, value: string): boolean {
  const b = parseGoBool(value);
  if (b === undefined) throw fail(`invalid value for ${key}: ${value}`);
  return b;
}

function parseUint(key: string, value: string, base: 8 | 10): number {
  const re = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  const n = re.test(value) ? parseInt(value, base) : NaN;
  if (!Number.isFinite(n) || n > 0xffffffff) throw fail(`invalid value ${value} for ${key}`);
  return n;
}

/**
 * The checks BuildKit makes on a `--mount` value when it parses the Dockerfile, before any
 * expansion: the CSV syntax, `key=value` fields, and no variable in `from` (an alias stage is
 * the way). Everything else is checked by parseMount at dispatch.
 */
export function checkMountSyntax(value: string): void {
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = (eq >= 0 ? field.slice(0, eq) : field).toLowerCase();
    if (eq < 0 && !['readonly', 'ro', 'readwrite', 'rw', 'required'].includes(key)) {
      throw fail(`invalid field '${field}' must be a key=value pair`);
    }
    if (key === 'from' && /\$./.test(field.slice(eq + 1))) {
      throw fail(`'${key}' doesn't support variable expansion, define alias stage instead`);
    }
  }
}

const basename = (p: string) => p.replace(/\/+$/, '').split('/').pop() || (p.startsWith('/') ? '/' : '.');

/**
 * Parses one `--mount` value. For `type=secret`, `id` defaults to the source, else to the
 * target's base name, and `target` to `/run/secrets/<id>` unless only `env` is asked for
 * (BuildKit dockerfile2llb dispatchSecret). Throws InvalidParameter with BuildKit's messages.
 */
export function parseMount(value: string, expand: (s: string) => string): MountSpec {
  const m: MountSpec = { type: 'bind', readOnly: false };
  let roAuto = true;
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = (eq >= 0 ? field.slice(0, eq) : field).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro' || key === 'readwrite' || key === 'rw') {
        m.readOnly = key === 'readonly' || key === 'ro';
        roAuto = false;
        continue;
      }
      if (key === 'required') {
        if (m.type !== 'secret' && m.type !== 'ssh') throw fail(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = true;
        continue;
      }
      throw fail(`invalid field '${field}' must be a key=value pair`);
    }
    const v = expand(field.slice(eq + 1));
    switch (key) {
      case 'type': {
        const t = v.toLowerCase();
        if (!(TYPES as readonly string[]).includes(t)) throw fail(withSuggestion(`unsupported mount type "${v}"`, v, TYPES, true));
        m.type = t as MountSpec['type'];
        break;
      }
      case 'from':
        m.from = v;
        break;
      case 'source':
      case 'src':
        m.source = v;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = v;
        break;
      case 'readonly':
      case 'ro':
        m.readOnly = parseBool(key, v);
        roAuto = false;
        break;
      case 'readwrite':
      case 'rw':
        m.readOnly = !parseBool(key, v);
        roAuto = false;
        break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') throw fail(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = parseBool(key, v);
        break;
      case 'id':
        m.id = v;
        break;
      case 'sharing': {
        const s = v.toLowerCase();
        if (!(SHARING as readonly string[]).includes(s)) throw fail(`unsupported sharing value "${v}"`);
        m.sharing = s as MountSpec['sharing'];
        break;
      }
      case 'mode':
        m.mode = parseUint('mode', v, 8);
        break;
      case 'uid':
        m.uid = parseUint('uid', v, 10);
        break;
      case 'gid':
        m.gid = parseUint('gid', v, 10);
        break;
      case 'size':
        if (m.type !== 'tmpfs') throw fail(`unexpected key '${key}' for mount type '${m.type}'`);
        try {
          m.size = ramInBytes(v);
        } catch {
          throw fail(`invalid value for ${key}: ${v}`);
        }
        break;
      case 'env':
        if (m.type !== 'secret') throw fail(`unexpected key '${key}' for mount type '${m.type}'`);
        m.env = v;
        break;
      default:
        throw fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, KEYS, true));
    }
  }
  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  for (const k of ['mode', 'uid', 'gid'] as const) {
    if (m[k] !== undefined && !fileInfoAllowed) throw fail(`${k} not allowed for "${m.type}" type mounts`);
  }
  if (roAuto) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.sharing !== undefined && m.type !== 'cache') throw fail(`invalid cache sharing set for ${m.type} mount`);
  if (m.type === 'secret') {
    if (m.from !== undefined) throw fail('secret mount should not have a from');
    if (!m.source && !m.target && !m.id && !m.env) throw fail('invalid secret mount. one of source, target required');
    if (m.source && m.id) throw fail("both source and id can't be set");
    const id = m.source || m.id || (m.target ? basename(m.target) : undefined);
    if (id === undefined) throw fail('one of source, target required');
    m.id = id;
    if (!m.target && m.env === undefined) m.target = `/run/secrets/${basename(id)}`;
  }
  return m;
}
