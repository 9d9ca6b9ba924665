// Docker's certs.d layout (moby registry.ReadCertsDirectory): in <certsDir>/<host:port>/,
// every *.crt is a CA added to the system CAs, every *.cert is a client certificate whose key
// is the *.key of the same name. A lone .cert or .key is an error, with Docker's words.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getCACertificates, rootCertificates } from 'node:tls';
import { invalidParameter, isErrno } from '../common/index.ts';

export interface TlsMaterial {
  /** CAs to trust: the system's and Node's bundle, plus the host's *.crt. */
  ca?: string[];
  /** The first client pair (Node's agent takes one; Docker offers every pair it finds). */
  cert?: Buffer;
  key?: Buffer;
}

let systemCas: string[] | undefined;
function baseCas(): string[] {
  if (!systemCas) {
    let sys: string[] = [];
    try {
      sys = getCACertificates('system');
    } catch {
      // no system store readable: Node's bundle alone
    }
    systemCas = [...new Set([...rootCertificates, ...sys])];
  }
  return systemCas;
}

/** Reads the certs.d directory of a host; an empty result when there is none. */
export async function readCertsDir(certsDir: string, host: string): Promise<TlsMaterial> {
  // The directory name is the host as written (host:port); refuse anything path-like.
  if (!host || host.includes('/') || host === '.' || host === '..') return {};
  const dir = join(certsDir, host);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return {};
    throw err;
  }
  const have = new Set(names);
  const extra: string[] = [];
  const out: TlsMaterial = {};
  for (const name of names) {
    if (name.endsWith('.crt')) {
      extra.push(await readFile(join(dir, name), 'utf8'));
    } else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -5)}.key`;
      if (!have.has(keyName)) throw invalidParameter(`missing key ${keyName} for client certificate ${name}. CA certificates must use the extension .crt`);
      if (!out.cert) {
        out.cert = await readFile(join(dir, name));
        out.key = await readFile(join(dir, keyName));
      }
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -4)}.cert`;
      if (!have.has(certName)) throw invalidParameter(`missing client certificate ${certName} for key ${name}`);
    }
  }
  if (extra.length) out.ca = [...baseCas(), ...extra];
  return out;
}
