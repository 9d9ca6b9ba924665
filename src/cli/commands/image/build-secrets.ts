// `berth build --secret id=..,src=..|env=..`: BuildKit's secret specs (buildx's parseSecret and
// BuildKit's secretsprovider.NewStore), read on the client and sent in the berth-only header
// X-Berth-Build-Secrets (the classic API has no session to fetch them through). The daemon hands
// each to `RUN --mount=type=secret` and never writes it to a layer, the history or its logs.
import { readFile, stat } from 'node:fs/promises';
import { StatusError } from '../../framework/types.ts';

/** The request header that carries the secrets: base64 of JSON {"<id>": "<base64 of the bytes>"}. */
export const SECRETS_HEADER = 'X-Berth-Build-Secrets';

/** BuildKit's limit for one secret (secretsprovider.MaxSecretSize). */
const MAX_SECRET_SIZE = 500 * 1024;

export interface SecretSpec {
  id: string;
  /** A file to read. */
  src?: string;
  /** An environment variable to read. */
  env?: string;
}

/** Splits a CSV record as Go's encoding/csv reads one line (quoted fields with "" escapes). */
function csvFields(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (value[i] === '"') {
      i++;
      for (;;) {
        if (i >= value.length) throw new Error(`parse error: extraneous or missing " in quoted-field`);
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
      if (i < value.length && value[i] !== ',') throw new Error(`parse error: extraneous or missing " in quoted-field`);
    } else {
      const comma = value.indexOf(',', i);
      field = comma < 0 ? value.slice(i) : value.slice(i, comma);
      i = comma < 0 ? value.length : comma;
    }
    out.push(field);
    if (i >= value.length) return out;
    i++; // the comma
  }
}

/** buildx's parseSecret: id=, src=/source=, env=, type=file|env. */
export function parseSecretSpec(value: string): SecretSpec {
  const fail = (why: string): never => {
    throw new StatusError(1, `invalid argument ${JSON.stringify(value)} for "--secret" flag: ${why}`);
  };
  let fields: string[] = [];
  try {
    fields = csvFields(value);
  } catch (err) {
    fail((err as Error).message);
  }
  const spec: SecretSpec = { id: '' };
  let type = '';
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq < 0) fail(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const v = field.slice(eq + 1);
    switch (key) {
      case 'type':
        if (v !== 'file' && v !== 'env') fail(`unsupported secret type ${JSON.stringify(v)}`);
        type = v;
        break;
      case 'id':
        spec.id = v;
        break;
      case 'source':
      case 'src':
        spec.src = v;
        break;
      case 'env':
        spec.env = v;
        break;
      default:
        fail(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (type === 'env' && !spec.env) {
    spec.env = spec.src;
    delete spec.src;
  }
  if (!spec.id) fail('secret missing ID');
  if (spec.src && spec.env) fail(`secret ${spec.id}: can't set both src and env`);
  return spec;
}

/**
 * The bytes of each secret (BuildKit's NewStore: with neither src nor env, the variable named like
 * the id if it is set, else the file named like the id); a later spec of the same id wins.
 */
export async function readSecrets(specs: readonly SecretSpec[], env: NodeJS.ProcessEnv): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const s of specs) {
    let { src, env: envName } = s;
    if (!src && !envName) {
      if (env[s.id] !== undefined) envName = s.id;
      else src = s.id;
    }
    let data: Buffer;
    if (envName) {
      const v = env[envName];
      if (v === undefined) throw new StatusError(1, `secret ${s.id}: environment variable ${envName} is not set`);
      data = Buffer.from(v);
    } else {
      const st = await stat(src!).catch((err: NodeJS.ErrnoException) => {
        throw new StatusError(1, `failed to stat ${src}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
      });
      if (st.size > MAX_SECRET_SIZE) throw new StatusError(1, `secret ${s.id} too big. max size 500KB`);
      data = await readFile(src!);
    }
    out.set(s.id, data);
  }
  return out;
}

/** The header's value: base64 of JSON {"<id>": "<base64 of the bytes>"}, ids sorted. */
export function encodeSecretsHeader(secrets: ReadonlyMap<string, Buffer>): string {
  const obj: Record<string, string> = {};
  for (const id of [...secrets.keys()].sort()) obj[id] = secrets.get(id)!.toString('base64');
  return Buffer.from(JSON.stringify(obj)).toString('base64');
}
