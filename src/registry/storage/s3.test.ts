import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { S3Driver, s3ConfigFrom, S3ConfigError } from './s3.ts';
import { PathNotFoundError } from './driver.ts';
import { startS3rver, S3RVER_KEY } from './s3rver.test-helpers.ts';
import { driverSuite } from './driver.test-helpers.ts';

let s3: Awaited<ReturnType<typeof startS3rver>>;
let d: S3Driver;
const MiB = 1 << 20;

before(async () => {
  s3 = await startS3rver('registry');
  d = new S3Driver(s3ConfigFrom({ region: 'us-east-1', bucket: 'registry', regionendpoint: s3.endpoint, accesskey: S3RVER_KEY, secretkey: S3RVER_KEY, rootdirectory: '/berth/', chunksize: 5 * MiB, redirect: true }));
});
after(async () => {
  await s3.stop();
});

// The StorageDriver contract suite every driver runs, each test under its own root in the bucket.
driverSuite('s3', () => {
  const driver = new S3Driver(s3ConfigFrom({ region: 'us-east-1', bucket: 'registry', regionendpoint: s3.endpoint, accesskey: S3RVER_KEY, secretkey: S3RVER_KEY, rootdirectory: `suite-${randomBytes(4).toString('hex')}` }));
  return Promise.resolve({ driver, cleanup: () => driver.delete('/').catch(() => {}) });
});

async function readAll(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of it) chunks.push(c);
  return Buffer.concat(chunks);
}

test('put, get, stat, ranged reads and missing paths', async () => {
  await d.putContent('/a/b/c', Buffer.from('hello world'));
  assert.equal(Buffer.from(await d.getContent('/a/b/c')).toString(), 'hello world');
  assert.equal((await readAll(await d.reader('/a/b/c', 6))).toString(), 'world');
  assert.equal((await readAll(await d.reader('/a/b/c', 11))).length, 0, 'reading at the end is empty');
  const st = await d.stat('/a/b/c');
  assert.equal(st.size, 11);
  assert.equal(st.isDir, false);
  assert.equal((await d.stat('/a/b')).isDir, true);
  await assert.rejects(d.getContent('/a/nope'), PathNotFoundError);
  await assert.rejects(d.reader('/a/nope'), PathNotFoundError);
  await assert.rejects(d.stat('/a/nope'), PathNotFoundError);
  await assert.rejects(d.putContent('/a/../b', Buffer.from('x')), /invalid path/);
  await assert.rejects(d.putContent('relative', Buffer.from('x')), /invalid path/);
});

test('list shows direct children, across continuation pages', async () => {
  const many = new S3Driver({ ...s3ConfigFrom({ region: 'us-east-1', bucket: 'registry', regionendpoint: s3.endpoint, accesskey: S3RVER_KEY, secretkey: S3RVER_KEY, rootdirectory: 'listing' }) });
  const names: string[] = [];
  for (let i = 0; i < 1005; i++) names.push(`/dir/f${String(i).padStart(4, '0')}`);
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => many.putContent(n, Buffer.from('x'))));
  await many.putContent('/dir/sub/deep', Buffer.from('y'));
  const listed = await many.list('/dir');
  assert.equal(listed.length, 1006);
  assert.ok(listed.includes('/dir/sub'));
  assert.ok(listed.includes('/dir/f1004'));
  assert.deepEqual(await many.list('/'), ['/dir']);
  await assert.rejects(many.list('/nothing'), PathNotFoundError);
  await many.delete('/dir');
  await assert.rejects(many.stat('/dir/f0000'), PathNotFoundError);
});

test('move copies then deletes; delete removes subtrees but not siblings sharing a prefix', async () => {
  await d.putContent('/m/src', Buffer.from('moved'));
  await d.putContent('/m/dst', Buffer.from('old'));
  await d.move('/m/src', '/m/dst');
  assert.equal(Buffer.from(await d.getContent('/m/dst')).toString(), 'moved');
  await assert.rejects(d.stat('/m/src'), PathNotFoundError);
  await assert.rejects(d.move('/m/src', '/m/x'), PathNotFoundError);
  await d.putContent('/del/x/1', Buffer.from('1'));
  await d.putContent('/del/x/2/3', Buffer.from('3'));
  await d.putContent('/del/xy', Buffer.from('sibling'));
  await d.delete('/del/x');
  await assert.rejects(d.stat('/del/x/1'), PathNotFoundError);
  await assert.rejects(d.stat('/del/x/2/3'), PathNotFoundError);
  assert.equal(Buffer.from(await d.getContent('/del/xy')).toString(), 'sibling');
  await assert.rejects(d.delete('/del/x'), PathNotFoundError);
});

test('writers: parts across requests, resume with append, multipart commit, cancel', async () => {
  const data = randomBytes(12 * MiB + 123);
  const path = '/repositories/r/_uploads/u1/data';
  const w1 = await d.writer(path, false);
  await w1.write(data.subarray(0, 3 * MiB));
  await w1.write(data.subarray(3 * MiB, 6 * MiB));
  assert.equal(w1.size, 6 * MiB);
  await w1.close();
  // The upload resumes in another request: the size comes back from the stored parts.
  const w2 = await d.writer(path, true);
  assert.equal(w2.size, 6 * MiB);
  assert.equal((await d.stat(path)).size, 6 * MiB, 'stat sees an upload in progress');
  assert.deepEqual(await d.list('/repositories/r/_uploads/u1'), [path], 'the parts stay hidden');
  assert.deepEqual((await readAll(await d.reader(path, MiB))).subarray(0, 10), data.subarray(MiB, MiB + 10), 'an uncommitted upload reads from its parts');
  await w2.write(data.subarray(6 * MiB));
  assert.equal(w2.size, data.length);
  await w2.commit();
  const back = await d.getContent(path);
  assert.equal(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(data).digest('hex'));
  assert.deepEqual(await d.list('/repositories/r/_uploads/u1'), [path], 'parts are gone after commit');
  // A small single-part upload commits by copy; an empty one makes an empty object.
  const small = await d.writer('/small', false);
  await small.write(Buffer.from('tiny'));
  await small.commit();
  assert.equal(Buffer.from(await d.getContent('/small')).toString(), 'tiny');
  const empty = await d.writer('/empty', false);
  await empty.commit();
  assert.equal((await d.stat('/empty')).size, 0);
  // Appending to a committed object continues it.
  const more = await d.writer('/small', true);
  assert.equal(more.size, 4);
  await more.write(Buffer.from('+more'));
  await more.commit();
  assert.equal(Buffer.from(await d.getContent('/small')).toString(), 'tiny+more');
  // A new writer (append=false) starts over; cancel leaves nothing behind.
  const c = await d.writer('/cancelled', false);
  await c.write(Buffer.from('abc'));
  await c.close();
  const c2 = await d.writer('/cancelled', false);
  assert.equal(c2.size, 0);
  await c2.write(Buffer.from('x'));
  await c2.close();
  const c3 = await d.writer('/cancelled', true);
  await c3.cancel();
  await assert.rejects(d.stat('/cancelled'), PathNotFoundError);
  await assert.rejects(d.writer('/never', true), PathNotFoundError);
  await assert.rejects(w2.write(Buffer.from('late')), /closed/);
});

test('as the store uses it: an empty writer opens the upload, appends close, move makes the blob', async () => {
  const data = randomBytes(11 * MiB);
  const upload = '/repositories/s/_uploads/u2/data';
  await (await d.writer(upload, false)).close();
  assert.equal((await d.stat(upload)).size, 0, 'an empty closed writer leaves an empty file');
  for (const [from, to] of [[0, 4 * MiB], [4 * MiB, 7 * MiB], [7 * MiB, data.length]] as const) {
    const w = await d.writer(upload, true);
    assert.equal(w.size, from);
    await w.write(data.subarray(from, to));
    await w.close();
  }
  assert.equal((await d.stat(upload)).size, data.length);
  assert.equal(createHash('sha256').update(await d.getContent(upload)).digest('hex'), createHash('sha256').update(data).digest('hex'));
  await d.putContent('/blobs/b/data', Buffer.from('an older copy'));
  await d.move(upload, '/blobs/b/data');
  assert.equal(createHash('sha256').update(await d.getContent('/blobs/b/data')).digest('hex'), createHash('sha256').update(data).digest('hex'));
  await assert.rejects(d.stat(upload), PathNotFoundError);
  await d.delete('/repositories/s/_uploads/u2').catch(() => {});
  // An empty upload moves to an empty blob; truncating a committed object starts from zero.
  await (await d.writer('/e/up', false)).close();
  await d.move('/e/up', '/e/blob');
  assert.equal((await d.stat('/e/blob')).size, 0);
  const t = await d.writer('/e/blob', false);
  assert.equal(t.size, 0);
  await t.write(Buffer.from('new'));
  await t.close();
  assert.equal(Buffer.from(await d.getContent('/e/blob')).toString(), 'new');
});

test('redirectURL is a presigned GET the S3 server accepts', async () => {
  await d.putContent('/blob', Buffer.from('direct'));
  const url = await d.redirectURL('GET', '/blob');
  assert.ok(url);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'direct');
  assert.match(url, /X-Amz-Expires=1200&X-Amz-SignedHeaders=host&X-Amz-Signature=[0-9a-f]{64}$/);
  const plain = new S3Driver(s3ConfigFrom({ region: 'us-east-1', bucket: 'registry', regionendpoint: s3.endpoint, accesskey: S3RVER_KEY, secretkey: S3RVER_KEY }));
  assert.equal(await plain.redirectURL('GET', '/blob'), undefined, 'redirect is off unless configured');
});

test('S3 errors surface with their code (an unknown access key, a missing bucket)', async () => {
  const bad = new S3Driver(s3ConfigFrom({ region: 'us-east-1', bucket: 'registry', regionendpoint: s3.endpoint, accesskey: 'NOBODY', secretkey: 'x' }));
  await assert.rejects(bad.putContent('/x', Buffer.from('x')), /403 InvalidAccessKeyId/);
  const nobucket = new S3Driver(s3ConfigFrom({ region: 'us-east-1', bucket: 'no-such-bucket', regionendpoint: s3.endpoint, accesskey: S3RVER_KEY, secretkey: S3RVER_KEY }));
  await assert.rejects(nobucket.putContent('/x', Buffer.from('x')), /404 NoSuchBucket/);
});

test('config: required keys, types, chunk size floor, env credentials', () => {
  const ok = { region: 'r', bucket: 'bkt', accesskey: 'a', secretkey: 's' };
  assert.equal(s3ConfigFrom({ region: 'r', bucket: 'bkt' }, { AWS_ACCESS_KEY_ID: 'ak', AWS_SECRET_ACCESS_KEY: 'sk' }).accesskey, 'ak');
  assert.equal(s3ConfigFrom({ ...ok, secure: 'false' }).secure, false);
  const bad: Array<[unknown, RegExp]> = [
    [{ ...ok, region: undefined }, /region: required/],
    [{ ...ok, bucket: 'Bad_Bucket' }, /invalid bucket name/],
    [{ region: 'r', bucket: 'bkt' }, /accesskey: required/],
    [{ ...ok, chunksize: 1024 }, /chunksize/],
    [{ ...ok, secure: 'maybe' }, /secure: expected true or false/],
    [{ ...ok, color: 1 }, /unknown key "color"/],
    [[], /expected a mapping/],
  ];
  for (const [c, msg] of bad) assert.throws(() => s3ConfigFrom(c, {}), (e: Error) => e instanceof S3ConfigError && msg.test(e.message), String(msg));
});
