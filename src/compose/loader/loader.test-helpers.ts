// Temporary project directories and a loadProject call with a clean environment, for the loader's tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Project } from '../types.ts';
import { loadProject, type LoadOptions } from './load.ts';

/** Makes a directory with `files` (relative path -> content); removed by the returned cleanup. */
export function tempProject(files: Record<string, string>, name = 'proj'): { dir: string; cleanup(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-compose-'));
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface Loaded {
  project: Project;
  warnings: string[];
}

/** loadProject in `cwd` with only `env` in the environment (HOME=/home/u). */
export async function load(cwd: string, opts: Partial<LoadOptions> & { stdinText?: string } = {}): Promise<Loaded> {
  const warnings: string[] = [];
  const { stdinText, ...rest } = opts;
  const project = await loadProject({
    files: [],
    profiles: [],
    envFiles: [],
    cwd,
    ...rest,
    env: { HOME: '/home/u', ...(rest.env ?? {}) },
    stdin: stdinText === undefined ? undefined : Readable.from([stdinText]),
    warn: (m) => warnings.push(m),
  });
  return { project, warnings };
}
