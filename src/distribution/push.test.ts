// Push against a fake registry on loopback (blobs per repository, cross-repository mounts,
// chunked uploads that check Content-Range, manifests) with an in-memory image store: the
// messages in moby's order and words, what reaches the registry, and what is recorded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { RegistryClient } from './registry-client.ts';
import { RegistryConfig } from './registry-config.ts';
import { pushImage, type PushImageSource, type PushLayerBlob } from './push.ts';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// --- the fake registry ---
const repos = new Map<string, Map<string, Buffer>>();
const uploads = new Map<string, Buffer[]>();
const manifests = new Map<string, { type: string; body: Buffer }>();
const calls: string[] = [];
let chunkMin = 0;
let denyUploads = false;
let failPatches = 0;
let onPatch: (() => void) | undefined;
let nextUpload = 0;
const repo = (name: string) => (repos.get(name) ?? repos.set(name, new Map()).get(name)!);
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const u = new URL(req.url ?? '/', 'http://x');
  calls.push(`${req.method} ${u.pathname}${u.search}${req.headers['content-range'] ? ` ${req.headers['content-range']}` : ''}`);
  const m = /^\/v2\/(.+)\/(blobs|manifests)\/(.+)$/.exec(u.pathname);
  if (u.pathname === '/v2/') return res.end('{}');
  if (m && m[2] === 'blobs' && m[3] === 'uploads/' && req.method === 'POST') {
    if (denyUploads) {
      res.statusCode = 401;
      res.setHeader('Content-Type', 'application/json');
      return res.end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
    }
    const from = u.searchParams.get('from');
    const mount = u.searchParams.get('mount');
    if (from && mount && repo(from).has(mount)) {
      repo(m[1]).set(mount, repo(from).get(mount)!);
      res.statusCode = 201;
      return res.end();
    }
    const id = `u${nextUpload++}`;
    uploads.set(id, []);
    res.statusCode = 202;
    res.setHeader('Location', `/upload/${m[1]}/${id}`);
    if (chunkMin) res.setHeader('OCI-Chunk-Min-Length', String(chunkMin));
    return res.end();
  }
  if (m && m[2] === 'blobs' && req.method === 'HEAD') {
    res.statusCode = repo(m[1]).has(m[3]) ? 200 : 404;
    return res.end();
  }
  const up = /^\/upload\/(.+)\/(u\d+)$/.exec(u.pathname);
  if (up && req.method === 'PATCH') {
    onPatch?.();
    if (failPatches > 0) {
      failPatches--;
      res.statusCode = 500;
      return res.end();
    }
    const parts = uploads.get(up[2])!;
    const have = parts.reduce((n, p) => n + p.length, 0);
    // Without Content-Range the PATCH is a stream of the whole blob (docker's way).
    const range = req.headers['content-range'];
    const [start, end] = range ? String(range).split('-').map(Number) : [have, have + body.length - 1];
    if (start !== have || end - start + 1 !== body.length) {
      res.statusCode = 416;
      return res.end();
    }
    parts.push(body);
    res.statusCode = 202;
    res.setHeader('Location', u.pathname);
    return res.end();
  }
  if (up && req.method === 'PUT') {
    const all = Buffer.concat([...uploads.get(up[2])!, body]);
    const digest = u.searchParams.get('digest')!;
    if (sha(all) !== digest) {
      res.statusCode = 400;
      return res.end('{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}');
    }
    repo(up[1]).set(digest, all);
    res.statusCode = 201;
    return res.end();
  }
  if (m && m[2] === 'manifests' && req.method === 'PUT') {
    const man = JSON.parse(body.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    for (const d of [man.config.digest, ...man.layers.map((l) => l.digest)]) {
      if (!repo(m[1]).has(d)) {
        res.statusCode = 400;
        return res.end(`{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"${d}"}]}`);
      }
    }
    manifests.set(`${m[1]}:${m[3]}`, { type: String(req.headers['content-type']), body });
    res.statusCode = 201;
    return res.end();
  }
  res.statusCode = 404;
  res.end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
after(() => server.close());
const client = new RegistryClient(new RegistryConfig({}));

// --- the image store ---
const tarA = randomBytes(3000);
const tarB = randomBytes(5000);
const gzA = (await import('node:zlib')).gzipSync(tarA);
const content = new Map<string, Buffer>([[sha(gzA), gzA], [sha(tarB), tarB]]);
const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(tarA), sha(tarB)] } }));
const imageId = sha(config);
const blobs = new Map<string, PushLayerBlob>([
  [sha(tarA), { digest: sha(gzA), mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: gzA.length, sourceRepository: `${host}/src` }],
  [sha(tarB), { digest: sha(tarB), mediaType: 'application/vnd.oci.image.layer.v1.tar', size: tarB.length }],
]);
repo('src').set(sha(gzA), gzA);
const digestRefs: string[] = [];
const events: string[] = [];
const tags = new Map<string, string>([[`${host}/dst:v1`, imageId], [`${host}/dst:v2`, imageId]]);
const source: PushImageSource = {
  imageOf: (ref) => tags.get(ref),
  tagsOf: (name) => [...tags].filter(([r]) => r.startsWith(`${name}:`)).sort().map(([r, id]) => ({ ref: r, tag: r.slice(name.length + 1), id })),
  image: (id) => {
    assert.equal(id, imageId);
    return { id, raw: config, diffIds: [sha(tarA), sha(tarB)], os: 'linux', architecture: 'amd64' };
  },
  layerBlob: async (d) => blobs.get(d),
  recordLayerBlob: async (d, b) => void blobs.set(d, b),
  hasBlob: async (d) => content.has(d),
  async *readBlob(d) {
    const b = content.get(d)!;
    for (let i = 0; i < b.length; i += 1024) yield b.subarray(i, i + 1024);
  },
  async ingest() {
    const parts: Buffer[] = [];
    return {
      get written() {
        return parts.reduce((n, p) => n + p.length, 0);
      },
      async write(c) {
        parts.push(Buffer.from(c));
      },
      digest: () => sha(Buffer.concat(parts)),
      async commit() {
        const b = Buffer.concat(parts);
        content.set(sha(b), b);
        return sha(b);
      },
      async abort() {},
    };
  },
  addDigestReference: async (ref, id) => void digestRefs.push(`${ref} ${id}`),
  logPushEvent: (ref) => void events.push(ref),
};

function collect() {
  const msgs: Record<string, unknown>[] = [];
  return { msgs, out: (m: object) => void msgs.push(m as Record<string, unknown>), text: (): string[] => msgs.filter((m) => m.status).map((m) => (m.id ? `${String(m.id)}: ${String(m.status)}` : String(m.status))) };
}
const short = (d: string) => d.slice(7, 19);

test('first push: mount from the source repository, gzip once and upload, config, schema2 manifest, digest', async () => {
  chunkMin = 0;
  const c = collect();
  await pushImage(client, source, { name: `${host}/dst`, tag: 'v1', auth: {}, chunkSize: 2048 }, c.out);
  const lines = c.text().filter((l) => !l.endsWith('Pushing'));
  assert.equal(lines[0], `The push refers to repository [${host}/dst]`);
  assert.deepEqual(lines.slice(1, 3), [`${short(sha(tarB))}: Preparing`, `${short(sha(tarA))}: Preparing`]);
  assert.ok(lines.includes(`${short(sha(tarA))}: Mounted from src`), lines.join('\n'));
  assert.ok(lines.includes(`${short(sha(tarB))}: Pushed`));
  // The uncompressed layer was gzipped, kept and recorded; its source is now this repository.
  const b = blobs.get(sha(tarB))!;
  assert.equal(b.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  assert.deepEqual(gunzipSync(content.get(b.digest)!), tarB);
  assert.equal(b.sourceRepository, `${host}/dst`);
  assert.equal(blobs.get(sha(tarA))!.sourceRepository, `${host}/dst`);
  // Chunked: PATCHes of 2048 bytes at the right offsets, then the PUT with the digest.
  const patches = calls.filter((x) => x.startsWith('PATCH'));
  assert.ok(patches.length >= 2, calls.join('\n'));
  assert.match(patches[0], / 0-2047$/);
  assert.match(patches[1], / 2048-4095$/);
  const man = manifests.get('dst:v1')!;
  assert.equal(man.type, 'application/vnd.docker.distribution.manifest.v2+json');
  const parsed = JSON.parse(man.body.toString());
  assert.deepEqual(parsed.layers.map((l: { digest: string }) => l.digest), [sha(gzA), b.digest]);
  assert.equal(parsed.config.digest, imageId);
  assert.equal(parsed.config.mediaType, 'application/vnd.docker.container.image.v1+json');
  assert.equal(lines.at(-1), `v1: digest: ${sha(man.body)} size: ${man.body.length}`);
  assert.deepEqual(c.msgs.at(-1), { progressDetail: {}, aux: { Tag: 'v1', Digest: sha(man.body), Size: man.body.length } });
  assert.deepEqual(digestRefs, [`${host}/dst@${sha(man.body)} ${imageId}`]);
  assert.deepEqual(events, [`${host}/dst:v1`]);
});

test('push of every tag: layers already in the repository are not sent again', async () => {
  calls.length = 0;
  const c = collect();
  await pushImage(client, source, { name: `${host}/dst`, tag: '', auth: {} }, c.out);
  const lines = c.text();
  assert.equal(lines.filter((l) => l.endsWith('Layer already exists')).length, 4, lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('v1: digest:')) && lines.some((l) => l.startsWith('v2: digest:')));
  assert.equal(calls.filter((x) => x.startsWith('PATCH') || x.startsWith('POST')).length, 0);
  assert.equal(events.at(-1), `${host}/dst`);
});

test('OCI-Chunk-Min-Length raises the chunk size; a blob that fits in one chunk goes monolithic', async () => {
  repos.delete('big');
  // No mount source: both layers go up.
  for (const d of [sha(tarA), sha(tarB)]) blobs.set(d, { ...blobs.get(d)!, sourceRepository: undefined });
  chunkMin = 4000;
  calls.length = 0;
  tags.set(`${host}/big:v1`, imageId);
  await pushImage(client, source, { name: `${host}/big`, tag: 'v1', auth: {}, chunkSize: 1000 }, () => {});
  const patches = calls.filter((x) => x.startsWith('PATCH'));
  // tarB's gzip is ~5 kB: a 4000-byte PATCH, the rest, then the closing PUT; tarA's (~3 kB) is one monolithic PUT.
  const ranges = patches.map((p) => p.split(' ').at(-1));
  assert.equal(ranges.length, 2, calls.join('\n'));
  assert.equal(ranges[0], '0-3999');
  assert.match(ranges[1]!, /^4000-\d+$/);
  const puts = calls.filter((x) => x.startsWith('PUT /upload'));
  assert.equal(puts.length, 3, calls.join('\n')); // two layers and the config
});

test('errors: an unknown repository, a missing tag, a registry refusing the upload', async () => {
  await assert.rejects(pushImage(client, source, { name: `${host}/none`, tag: '', auth: {} }, () => {}), /An image does not exist locally with the tag: 127.0.0.1:\d+\/none/);
  await assert.rejects(pushImage(client, source, { name: `${host}/dst`, tag: 'v9', auth: {} }, () => {}), /tag does not exist: 127.0.0.1:\d+\/dst:v9/);
  await assert.rejects(pushImage(client, source, { name: `${host}/Bad`, tag: '', auth: {} }, () => {}), /invalid reference format: repository name \(Bad\) must be lowercase|must be lowercase/);
  repos.delete('deny');
  for (const d of [sha(tarA), sha(tarB)]) blobs.set(d, { ...blobs.get(d)!, sourceRepository: undefined });
  tags.set(`${host}/deny:v1`, imageId);
  denyUploads = true;
  await assert.rejects(pushImage(client, source, { name: `${host}/deny`, tag: 'v1', auth: {} }, () => {}), /denied: requested access to the resource is denied/);
  denyUploads = false;
  // A stored uncompressed blob whose bytes are not the layer's diff: nothing is committed.
  const wrong = randomBytes(100);
  const before = content.size;
  content.set(sha(tarB), wrong);
  blobs.set(sha(tarB), { digest: sha(tarB), mediaType: 'application/vnd.oci.image.layer.v1.tar', size: wrong.length });
  tags.set(`${host}/mismatch:v1`, imageId);
  await assert.rejects(pushImage(client, source, { name: `${host}/mismatch`, tag: 'v1', auth: {} }, () => {}), /does not match its diff ID/);
  assert.equal(content.size, before);
  assert.equal(blobs.get(sha(tarB))!.digest, sha(tarB));
  content.set(sha(tarB), tarB);
});

test('OCI layer blobs make an OCI manifest (Docker gzip layers named by their OCI type)', async () => {
  repos.delete('oci');
  for (const d of [sha(tarA), sha(tarB)]) blobs.set(d, { ...blobs.get(d)!, sourceRepository: undefined });
  blobs.set(sha(tarA), { ...blobs.get(sha(tarA))!, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' });
  tags.set(`${host}/oci:v1`, imageId);
  await pushImage(client, source, { name: `${host}/oci`, tag: 'v1', auth: {} }, () => {});
  const man = manifests.get('oci:v1')!;
  assert.equal(man.type, 'application/vnd.oci.image.manifest.v1+json');
  const parsed = JSON.parse(man.body.toString());
  assert.equal(parsed.config.mediaType, 'application/vnd.oci.image.config.v1+json');
  assert.deepEqual(parsed.layers.map((l: { mediaType: string }) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip']);
});

test('a 5xx during an upload is retried with moby\'s countdown, a new upload each time', async () => {
  repos.delete('retry');
  for (const d of [sha(tarA), sha(tarB)]) blobs.set(d, { ...blobs.get(d)!, sourceRepository: undefined });
  tags.set(`${host}/retry:v1`, imageId);
  failPatches = 1;
  const c = collect();
  await pushImage(client, source, { name: `${host}/retry`, tag: 'v1', auth: {}, chunkSize: 1024 }, c.out);
  const lines = c.text();
  const retried = lines.filter((l) => l.includes('Retrying in'));
  assert.deepEqual(retried.map((l) => l.replace(/^[0-9a-f]{12}: /, '')), ['Retrying in 5 seconds', 'Retrying in 4 seconds', 'Retrying in 3 seconds', 'Retrying in 2 seconds', 'Retrying in 1 second']);
  assert.equal(lines.filter((l) => l.endsWith(': Pushed')).length, 2);
  assert.ok(manifests.has('retry:v1'));
});

test('the client going away stops the push: no retry, no manifest, "context canceled"', async () => {
  repos.delete('gone');
  for (const d of [sha(tarA), sha(tarB)]) blobs.set(d, { ...blobs.get(d)!, sourceRepository: undefined });
  tags.set(`${host}/gone:v1`, imageId);
  const ac = new AbortController();
  onPatch = () => ac.abort();
  try {
    await assert.rejects(pushImage(client, source, { name: `${host}/gone`, tag: 'v1', auth: {}, chunkSize: 1024, signal: ac.signal }, () => {}), (err: Error) => err.message === 'context canceled');
  } finally {
    onPatch = undefined;
  }
  assert.equal(manifests.has('gone:v1'), false);
});

test('no chunk size: each blob goes up as one streamed PATCH (chunked transfer encoding), then the PUT', async () => {
  repos.delete('stream');
  for (const d of [sha(tarA), sha(tarB)]) blobs.set(d, { ...blobs.get(d)!, sourceRepository: undefined });
  tags.set(`${host}/stream:v1`, imageId);
  chunkMin = 0;
  calls.length = 0;
  await pushImage(client, source, { name: `${host}/stream`, tag: 'v1', auth: {} }, () => {});
  const patches = calls.filter((x) => x.startsWith('PATCH'));
  assert.equal(patches.length, 2, calls.join('\n'));
  assert.ok(patches.every((x) => !/ \d+-\d+$/.test(x)), 'no Content-Range');
  assert.equal(repo('stream').get(blobs.get(sha(tarA))!.digest)!.length, blobs.get(sha(tarA))!.size);
  assert.ok(manifests.has('stream:v1'));
});
