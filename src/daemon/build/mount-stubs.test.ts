// The mount points a RUN's --mount targets leave in its layer: which components were missing
// before the run, and their removal afterwards while empty (what the command wrote stays).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingComponents, removeStubs } from './mount-stubs.ts';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-stubs-'));
  await mkdir(join(dir, 'root/run'), { recursive: true });
  await mkdir(join(dir, 'root/var/cache'), { recursive: true });
  await symlink('/etc', join(dir, 'root/etclink'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('missing components of a target, deepest first; existing ones are not stubs', () => {
  const root = join(dir, 'root');
  assert.deepEqual(missingComponents(root, '/run/secrets/token'), ['/run/secrets/token', '/run/secrets']);
  assert.deepEqual(missingComponents(root, '/var/cache'), []);
  assert.deepEqual(missingComponents(root, 'var/cache/app/'), ['/var/cache/app']);
  // A symlink on the way resolves inside the root: /etclink -> /etc, which the root lacks.
  assert.deepEqual(missingComponents(root, '/etclink/x'), ['/etclink/x']);
});

test('stubs removed while empty: an empty file and empty directories go, content stays', async () => {
  const layer = join(dir, 'layer');
  await mkdir(join(layer, 'run/secrets'), { recursive: true });
  await writeFile(join(layer, 'run/secrets/token'), '');
  await mkdir(join(layer, 'cache/app'), { recursive: true });
  await writeFile(join(layer, 'cache/app/data'), 'written by the command');
  removeStubs(layer, ['/run/secrets/token', '/run/secrets', '/cache/app', '/cache']);
  assert.equal(existsSync(join(layer, 'run/secrets')), false);
  assert.equal(existsSync(join(layer, 'run')), true, 'not a stub');
  assert.equal(existsSync(join(layer, 'cache/app/data')), true);
  // A stub file that is not empty is the command's: kept.
  await mkdir(join(layer, 'x'), { recursive: true });
  await writeFile(join(layer, 'x/f'), 'data');
  removeStubs(layer, ['/x/f', '/x']);
  assert.equal(existsSync(join(layer, 'x/f')), true);
});
