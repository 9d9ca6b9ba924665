// GET /containers/{id}/archive's tar: names as moby gives them, and a stopped container's mounts
// (at the top, below it, nested) archived from their sources, never what lies under them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar } from '../common/index.ts';
import { ContainerView, openRoot } from '../fsroot/index.ts';
import { tarPathInView } from './tar-path.ts';

let tmp: string;
let view: ContainerView;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-tarpath-'));
  const root = join(tmp, 'root');
  for (const d of ['root/etc', 'root/data/inner', 'root/srv', 'vol/inner', 'inner-src', 'bind']) mkdirSync(join(tmp, d), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root');
  writeFileSync(join(root, 'data/hidden'), 'under the mount');
  writeFileSync(join(tmp, 'vol/in-volume'), 'v');
  writeFileSync(join(tmp, 'vol/inner/under-inner'), 'hidden by the nested mount');
  writeFileSync(join(tmp, 'inner-src/nested'), 'n');
  writeFileSync(join(tmp, 'bind/conf'), 'c');
  symlinkSync('/etc', join(root, 'link'));
  view = new ContainerView(openRoot(root), [
    { destination: '/data', source: join(tmp, 'vol') },
    { destination: '/data/inner', source: join(tmp, 'inner-src') },
    { destination: '/srv/app', source: join(tmp, 'bind') }, // its mountpoint is not in the layer
  ]);
});
after(() => {
  view.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function names(path: string, skipContentsOf: string[] = []): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar(tarPathInView(view, path, skipContentsOf))) out.push(e.type === 'symlink' ? `${e.name} -> ${e.linkname}` : e.name);
  return out.sort();
}

test('a file, a directory, its contents, a link, `/`', async () => {
  assert.deepEqual(await names('/etc/passwd'), ['passwd']);
  assert.deepEqual(await names('/etc'), ['etc/', 'etc/passwd']);
  assert.deepEqual(await names('/etc/.'), ['./', './passwd']);
  assert.deepEqual(await names('/link'), ['link -> /etc']);
  assert.deepEqual(await names('/link/'), ['link/', 'link/passwd']);
  const all = await names('/');
  assert.ok(all.includes('/') && all.includes('/etc/passwd'), all.join());
});

test("a stopped container's mounts come from their sources, at the top, below it and nested", async () => {
  assert.deepEqual(await names('/data'), ['data/', 'data/in-volume', 'data/inner/', 'data/inner/nested']);
  assert.deepEqual(await names('/data/'), ['data/', 'data/in-volume', 'data/inner/', 'data/inner/nested']);
  assert.deepEqual(await names('/data/inner/nested'), ['nested']);
  const all = await names('/');
  for (const n of ['/data/in-volume', '/data/inner/nested', '/srv/app/conf']) assert.ok(all.includes(n), `${n} in ${all.join()}`);
  for (const n of ['/data/hidden', '/data/inner/under-inner']) assert.ok(!all.includes(n), `${n} is under a mount`);
  assert.deepEqual(await names('/srv'), ['srv/', 'srv/app/', 'srv/app/conf']);
});

test('directories whose contents are left out (a running container\'s /proc, /sys) are archived empty', async () => {
  const all = await names('/', ['/etc', '/nonexistent']);
  assert.ok(all.includes('/etc/') && !all.includes('/etc/passwd'), all.join());
  assert.deepEqual(await names('/etc', ['/etc/']), ['etc/', 'etc/passwd'], 'only below the top');
});
