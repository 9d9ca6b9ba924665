// Build contexts for the build tests: a directory of files made here, packed with tar, sent
// to POST /build raw (for what the docker CLI cannot send) or built with `docker build`.
import { mkdtemp, mkdir, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import type { Daemon } from './harness.ts';

export type FileSpec = string | { content: string; mode?: number } | { symlink: string };

const madeDirs: string[] = [];

/** A context directory with `files` (paths relative to it); removed by removeContexts(). */
export async function makeContext(files: Record<string, FileSpec>): Promise<string> {
  const dir = await mkdtemp('/tmp/bt-ctx-');
  madeDirs.push(dir);
  for (const [rel, spec] of Object.entries(files)) {
    const p = join(dir, rel);
    await mkdir(dirname(p), { recursive: true });
    if (rel.endsWith('/')) {
      await mkdir(p, { recursive: true });
      continue;
    }
    if (typeof spec === 'string') await writeFile(p, spec);
    else if ('symlink' in spec) await symlink(spec.symlink, p);
    else {
      await writeFile(p, spec.content);
      if (spec.mode !== undefined) await chmod(p, spec.mode);
    }
  }
  return dir;
}

export async function removeContexts(): Promise<void> {
  for (const d of madeDirs.splice(0)) await rm(d, { recursive: true, force: true });
}

/** The context as a tar (GNU tar, numeric owners). */
export function tarOf(dir: string): Buffer {
  return execFileSync('tar', ['-C', dir, '--numeric-owner', '-cf', '-', '.'], { maxBuffer: 256 * 1024 * 1024 });
}

export interface BuildMessage {
  stream?: string;
  status?: string;
  aux?: { ID?: string };
  error?: string;
  errorDetail?: { message: string; code?: number };
}

export interface RawBuild {
  status: number;
  text: string;
  messages: BuildMessage[];
  /** Every `stream` text joined. */
  output: string;
  /** The `aux` image ID, if any. */
  imageId?: string;
  error?: BuildMessage;
  /** The JSON error body of a request refused before the stream started. */
  json?: { message?: string };
}

/** POST /build with a tar body; `query` as a query string (without `?`). */
export function buildRaw(d: Daemon, query: string, body: Buffer, headers: Record<string, string> = {}, path = '/build'): Promise<RawBuild> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.socket, method: 'POST', path: `${path}?${query}`, headers: { 'Content-Type': 'application/x-tar', 'Content-Length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      // A daemon that dies mid-stream ends the response without 'end': what came is the answer.
      res.on('error', () => {});
      res.on('close', () => {
        const text = Buffer.concat(chunks).toString();
        const messages: BuildMessage[] = [];
        if (res.statusCode === 200) {
          for (const line of text.split('\n').filter(Boolean)) {
            try {
              messages.push(JSON.parse(line) as BuildMessage);
            } catch {
              // a line cut short by a daemon that died
            }
          }
        }
        const output = messages.map((m) => m.stream ?? '').join('');
        let json: { message?: string } | undefined;
        if (res.statusCode !== 200) {
          try {
            json = JSON.parse(text) as { message?: string };
          } catch {
            json = undefined;
          }
        }
        resolve({
          status: res.statusCode ?? 0, text, messages, output,
          imageId: messages.find((m) => m.aux?.ID)?.aux?.ID,
          error: messages.find((m) => m.error !== undefined),
          json,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A context tar from files, in one step. */
export async function contextTar(files: Record<string, FileSpec>): Promise<Buffer> {
  return tarOf(await makeContext(files));
}
