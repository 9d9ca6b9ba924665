// checksumInRoot (COPY --from sources): the same digest as the context's for the same tree,
// changed by one file's bytes or mode, not by its mtime; sources resolved as COPY does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunked, makeTar, type Member } from './context.test-helpers.ts';
import { receiveContext, type ReceivedContext } from './receive.ts';
import { checksumInRoot } from './root-checksum.ts';

let tmp: string;
let ctx: ReceivedContext;
const members: Member[] = [
  { name: 'Dockerfile', data: 'FROM scratch' },
  { name: 'app/', type: 'dir', mode: 0o750 },
  { name: 'app/main.js', data: 'main', mode: 0o755 },
  { name: 'app/lib/util.js', data: 'util' },
  { name: 'app/link', type: 'symlink', target: 'main.js' },
  { name: 'top.txt', data: 'top' },
];
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-rootsum-'));
  ctx = await receiveContext(chunked(await makeTar(members)), { dir: join(tmp, 'ctx') });
});
after(async () => {
  await ctx.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('a root gives the same checksum as a context holding the same files', async () => {
  for (const [sources, exclude] of [[['app'], []], [['.'], []], [['*.txt', 'app/link'], []], [['app'], ['lib']]] as [string[], string[]][]) {
    assert.equal(await checksumInRoot(ctx.dir, sources, exclude), await ctx.checksum(sources, exclude), sources.join(','));
  }
});

test('one file\'s bytes or mode change it; its mtime does not; other sources keep theirs', async () => {
  const root = join(tmp, 'root');
  const tar = await makeTar(members);
  const r = await receiveContext(chunked(tar), { dir: root });
  try {
    const app = await checksumInRoot(root, ['app'], []);
    const top = await checksumInRoot(root, ['top.txt'], []);
    utimesSync(join(root, 'app/main.js'), 1, 1);
    assert.equal(await checksumInRoot(root, ['app'], []), app);
    writeFileSync(join(root, 'app/lib/util.js'), 'changed');
    const changed = await checksumInRoot(root, ['app'], []);
    assert.notEqual(changed, app);
    assert.equal(await checksumInRoot(root, ['top.txt'], []), top);
    chmodSync(join(root, 'app/main.js'), 0o700);
    assert.notEqual(await checksumInRoot(root, ['app'], []), changed);
    await assert.rejects(checksumInRoot(root, ['nope'], []), (err: Error) => err.message === 'COPY failed: stat nope: file does not exist');
  } finally {
    await r.close();
  }
});
