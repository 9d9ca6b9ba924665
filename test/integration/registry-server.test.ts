// berth-registry as a black box (bin/berth-registry; run `sh scripts/build.sh` first): the OCI
// distribution spec's conformance categories (pull, push, content discovery, content
// management), every bad input, repository isolation, GC, upload purging, access logs, v1
// search, skopeo in and out, and interoperability with Debian's docker-registry on one root.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { spawn } from 'node:child_process';
import { LAYERED_TAR, run } from './harness.ts';
import {
  BERTH_REGISTRY,
  pushBlob,
  pushManifest,
  sha256,
  startBerthRegistry,
  startDockerRegistry,
  type RunningRegistry,
} from './registry.test-helpers.ts';
import { MEDIA_OCI_MANIFEST, MEDIA_OCI_INDEX, MEDIA_DOCKER_MANIFEST } from '../../src/registry/index.ts';

const EMPTY_CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };

let dir: string;
let reg: RunningRegistry;
let configFile: string;
let root: string;
let accessLogFile: string;

async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, 'errors array');
  assert.equal(typeof body.errors[0].message, 'string');
  return body.errors[0].code;
}

function imageManifest(config: { digest: string; size: number; mediaType?: string }, layers: Array<{ digest: string; size: number }>, extra: Record<string, unknown> = {}) {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_OCI_MANIFEST,
    config: { mediaType: config.mediaType ?? 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    ...extra,
  };
}

/** Pushes a small image (config + n random layers) and tags it; returns the digests. */
async function pushImage(url: string, name: string, tag: string, layers = 2, shared: Buffer[] = []) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rand: randomBytes(8).toString('hex') }));
  const configDigest = await pushBlob(url, name, config);
  const blobs = [...shared, ...Array.from({ length: layers }, () => randomBytes(1000))];
  const layerDigests = [];
  for (const b of blobs) layerDigests.push({ digest: await pushBlob(url, name, b), size: b.length });
  const manifest = imageManifest({ digest: configDigest, size: config.length }, layerDigests);
  const digest = await pushManifest(url, name, tag, manifest, MEDIA_OCI_MANIFEST);
  return { digest, configDigest, layerDigests: layerDigests.map((l) => l.digest) };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-registry-test-'));
  root = join(dir, 'root');
  accessLogFile = join(dir, 'access.log');
  configFile = join(dir, 'config.yml');
  await writeFile(
    configFile,
    `version: 0.1
log:
  level: info
  accesslog:
    path: ${accessLogFile}
storage:
  filesystem:
    rootdirectory: ${root}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
  headers:
    X-Content-Type-Options: [nosniff]
`,
  );
  reg = await startBerthRegistry(['--config', configFile]);
});

after(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('base and CLI', () => {
  test('GET /v2/ answers 200 with the API version header and configured headers', async () => {
    const res = await fetch(`${reg.url}/v2/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(await res.json(), {});
  });

  test('unknown paths are 404', async () => {
    assert.equal((await fetch(`${reg.url}/v3/`)).status, 404);
    assert.equal((await fetch(`${reg.url}/v2/foo/unknown/thing`)).status, 404);
  });

  test('--version, --help, bad flags, bad config', async () => {
    const v = await run(BERTH_REGISTRY, ['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^berth-registry version \S+, build \S+\n$/);
    const h = await run(BERTH_REGISTRY, ['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /garbage-collect/);
    const bad = await run(BERTH_REGISTRY, ['serve', '--bogus']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown flag: --bogus/);
    const badCfg = join(dir, 'bad.yml');
    await writeFile(badCfg, 'version: 0.1\nstorage:\n  delete:\n    enabled: maybe\n');
    const r = await run(BERTH_REGISTRY, ['serve', '--config', badCfg]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /storage.delete.enabled must be true or false/);
    const badLog = join(dir, 'badlog.yml');
    await writeFile(badLog, `version: 0.1\nlog:\n  accesslog:\n    path: ${join(dir, 'no/such/dir/access.log')}\nstorage:\n  filesystem:\n    rootdirectory: ${root}\nhttp:\n  addr: 127.0.0.1:0\n`);
    const bl = await run(BERTH_REGISTRY, ['serve', badLog]);
    assert.equal(bl.code, 1);
    assert.match(bl.stderr, /log.accesslog.path: ENOENT/);
    const noAuth = join(dir, 'auth.yml');
    await writeFile(noAuth, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${root}\nauth:\n  bogus: {}\nhttp:\n  addr: 127.0.0.1:0\n`);
    const a = await run(BERTH_REGISTRY, ['serve', noAuth]);
    assert.equal(a.code, 1);
    assert.match(a.stderr, /auth/);
  });
});

describe('push', () => {
  const name = 'push/test';

  test('monolithic POST ?digest= answers 201 with Location', async () => {
    const data = randomBytes(5000);
    const digest = sha256(data);
    const res = await fetch(`${reg.url}/v2/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), `/v2/${name}/blobs/${digest}`);
    assert.equal(res.headers.get('docker-content-digest'), digest);
    const get = await fetch(`${reg.url}/v2/${name}/blobs/${digest}`);
    assert.equal(get.status, 200);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), data);
  });

  test('POST then PUT with the whole blob', async () => {
    const data = randomBytes(3000);
    const post = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    assert.equal(post.status, 202);
    const id = post.headers.get('docker-upload-uuid')!;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(post.headers.get('location'), `/v2/${name}/blobs/uploads/${id}`);
    assert.equal(post.headers.get('range'), '0-0');
    const put = await fetch(`${reg.url}${post.headers.get('location')}?digest=${sha256(data)}`, { method: 'PUT', body: data });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('docker-content-digest'), sha256(data));
    // The session is gone once completed.
    assert.equal((await fetch(`${reg.url}${post.headers.get('location')}`)).status, 404);
  });

  test('chunked: PATCH with Content-Range, status, out-of-order 416, PUT with the final chunk', async () => {
    const data = randomBytes(10_000);
    const post = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': '0' } });
    const loc = post.headers.get('location')!;
    const c1 = data.subarray(0, 4000);
    const c2 = data.subarray(4000, 8000);
    const c3 = data.subarray(8000);
    // Out of order: the second chunk first.
    const ooo = await fetch(`${reg.url}${loc}`, { method: 'PATCH', body: c2, headers: { 'Content-Range': '4000-7999', 'Content-Type': 'application/octet-stream' } });
    assert.equal(ooo.status, 416);
    assert.equal(ooo.headers.get('range'), '0-0');
    assert.equal(ooo.headers.get('location'), loc);
    const p1 = await fetch(`${reg.url}${loc}`, { method: 'PATCH', body: c1, headers: { 'Content-Range': '0-3999' } });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get('range'), '0-3999');
    assert.equal(p1.headers.get('docker-upload-uuid'), post.headers.get('docker-upload-uuid'));
    // A repeated chunk is out of order too.
    assert.equal((await fetch(`${reg.url}${loc}`, { method: 'PATCH', body: c1, headers: { 'Content-Range': '0-3999' } })).status, 416);
    // Content-Range that disagrees with Content-Length.
    assert.equal((await fetch(`${reg.url}${loc}`, { method: 'PATCH', body: c2, headers: { 'Content-Range': '4000-4999' } })).status, 416);
    // Streamed chunk without Content-Range.
    const p2 = await fetch(`${reg.url}${loc}`, { method: 'PATCH', body: c2 });
    assert.equal(p2.status, 202);
    assert.equal(p2.headers.get('range'), '0-7999');
    const status = await fetch(`${reg.url}${loc}`);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-7999');
    const put = await fetch(`${reg.url}${loc}?digest=${sha256(data)}`, { method: 'PUT', body: c3, headers: { 'Content-Range': '8000-9999' } });
    assert.equal(put.status, 201);
    const got = await fetch(`${reg.url}/v2/${name}/blobs/${sha256(data)}`);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), data);
  });

  test('a session survives a restart of the server (the digest is computed from the stored bytes)', async () => {
    const restartRoot = join(dir, 'restart-root');
    const a = await startBerthRegistry(['--addr', '127.0.0.1:0', '--root', restartRoot]);
    const data = randomBytes(50_000);
    const sessions: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const post = await fetch(`${a.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
        sessions.push(post.headers.get('location')!);
        assert.equal((await fetch(`${a.url}${sessions[i]}`, { method: 'PATCH', body: data.subarray(0, 20_000) })).status, 202);
      }
    } finally {
      await a.stop();
    }
    const b = await startBerthRegistry(['--addr', '127.0.0.1:0', '--root', restartRoot]);
    try {
      for (const loc of sessions) {
        const status = await fetch(`${b.url}${loc}`);
        assert.equal(status.status, 204);
        assert.equal(status.headers.get('range'), '0-19999');
        const p2 = await fetch(`${b.url}${loc}`, { method: 'PATCH', body: data.subarray(20_000), headers: { 'Content-Range': '20000-49999' } });
        assert.equal(p2.status, 202);
      }
      // A wrong digest is caught on this path too.
      const bad = await fetch(`${b.url}${sessions[1]}?digest=${sha256('not it')}`, { method: 'PUT' });
      assert.equal(await errorCode(bad), 'DIGEST_INVALID');
      const put = await fetch(`${b.url}${sessions[0]}?digest=${sha256(data)}`, { method: 'PUT' });
      assert.equal(put.status, 201);
      const got = await fetch(`${b.url}/v2/${name}/blobs/${sha256(data)}`);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), data);
    } finally {
      await b.stop();
    }
  });

  test('DELETE cancels a session', async () => {
    const post = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    const loc = post.headers.get('location')!;
    await fetch(`${reg.url}${loc}`, { method: 'PATCH', body: 'abc' });
    assert.equal((await fetch(`${reg.url}${loc}`, { method: 'DELETE' })).status, 204);
    const after = await fetch(`${reg.url}${loc}`);
    assert.equal(after.status, 404);
    assert.equal(await errorCode(after), 'BLOB_UPLOAD_UNKNOWN');
  });

  test('a blob whose bytes do not match the digest is never stored', async () => {
    const data = randomBytes(2000);
    const wrong = sha256('something else');
    const post = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    const loc = post.headers.get('location')!;
    const put = await fetch(`${reg.url}${loc}?digest=${wrong}`, { method: 'PUT', body: data });
    assert.equal(put.status, 400);
    assert.equal(await errorCode(put), 'DIGEST_INVALID');
    assert.equal((await fetch(`${reg.url}/v2/${name}/blobs/${wrong}`, { method: 'HEAD' })).status, 404);
    assert.equal((await fetch(`${reg.url}/v2/${name}/blobs/${sha256(data)}`, { method: 'HEAD' })).status, 404);
    // The upload data is removed with the session.
    assert.equal((await fetch(`${reg.url}${loc}`)).status, 404);
    const id = post.headers.get('docker-upload-uuid')!;
    assert.equal(existsSync(join(root, 'docker/registry/v2/repositories', name, '_uploads', id)), false);
    assert.equal(existsSync(join(root, 'docker/registry/v2/blobs/sha256', wrong.slice(7, 9), wrong.slice(7))), false);
    // Monolithic too.
    const mono = await fetch(`${reg.url}/v2/${name}/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: data });
    assert.equal(mono.status, 400);
    assert.equal(await errorCode(mono), 'DIGEST_INVALID');
  });

  test('bad digests, bad names, unknown uploads, unsupported methods', async () => {
    const post = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    const loc = post.headers.get('location')!;
    for (const d of ['sha256:xyz', 'md5:00', 'nodigest', 'sha256:' + 'A'.repeat(64)]) {
      const r = await fetch(`${reg.url}${loc}?digest=${d}`, { method: 'PUT', body: 'x' });
      assert.equal(r.status, 400, d);
      assert.equal(await errorCode(r), 'DIGEST_INVALID', d);
    }
    const noDigest = await fetch(`${reg.url}${loc}`, { method: 'PUT' });
    assert.equal(await errorCode(noDigest), 'DIGEST_INVALID');
    for (const bad of ['UPPER/case', 'a..b', 'x/_y', 'a//b', '-a']) {
      const r = await fetch(`${reg.url}/v2/${bad}/blobs/uploads/`, { method: 'POST' });
      assert.equal(r.status, 400, bad);
      assert.equal(await errorCode(r), 'NAME_INVALID', bad);
    }
    const long = `${'a'.repeat(200)}/${'b'.repeat(60)}`;
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/${long}/tags/list`)), 'NAME_INVALID');
    for (const id of ['00000000-0000-0000-0000-000000000000', '.hidden', 'bad!id']) {
      const r = await fetch(`${reg.url}/v2/${name}/blobs/uploads/${id}`, { method: 'PATCH', body: 'x' });
      assert.equal(r.status, 404, id);
      assert.equal(await errorCode(r), 'BLOB_UPLOAD_UNKNOWN', id);
    }
    const slash = await fetch(`${reg.url}/v2/${name}/blobs/uploads/a%2Fb`, { method: 'PATCH', body: 'x' });
    assert.equal(slash.status, 400);
    assert.equal(await errorCode(slash), 'NAME_INVALID');
    const blobGetBad = await fetch(`${reg.url}/v2/${name}/blobs/sha256:abc`);
    assert.equal(await errorCode(blobGetBad), 'DIGEST_INVALID');
    const patchMethod = await fetch(`${reg.url}/v2/${name}/blobs/${sha256('x')}`, { method: 'PATCH', body: 'x' });
    assert.equal(patchMethod.status, 405);
    assert.equal(await errorCode(patchMethod), 'UNSUPPORTED');
    const badRange = await fetch(`${reg.url}${loc}`, { method: 'PATCH', body: 'x', headers: { 'Content-Range': 'garbage' } });
    assert.equal(badRange.status, 416);
  });
});

describe('manifests, pull and content discovery', () => {
  const name = 'pull/image';
  let img: Awaited<ReturnType<typeof pushImage>>;
  let layer: Buffer;
  let layerDigest: string;

  before(async () => {
    layer = randomBytes(300_000);
    layerDigest = sha256(layer);
    img = await pushImage(reg.url, name, 'v1', 1, [layer]);
  });

  test('manifest GET/HEAD by tag and digest', async () => {
    for (const ref of ['v1', img.digest]) {
      const get = await fetch(`${reg.url}/v2/${name}/manifests/${ref}`, { headers: { Accept: MEDIA_OCI_MANIFEST } });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('content-type'), MEDIA_OCI_MANIFEST);
      assert.equal(get.headers.get('docker-content-digest'), img.digest);
      const body = Buffer.from(await get.arrayBuffer());
      assert.equal(sha256(body), img.digest);
      const head = await fetch(`${reg.url}/v2/${name}/manifests/${ref}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(body.length));
      assert.equal(head.headers.get('docker-content-digest'), img.digest);
    }
    const cached = await fetch(`${reg.url}/v2/${name}/manifests/v1`, { headers: { 'If-None-Match': `"${img.digest}"` } });
    assert.equal(cached.status, 304);
    assert.equal(cached.headers.get('docker-content-digest'), img.digest);
    assert.equal((await fetch(`${reg.url}/v2/${name}/manifests/v1`, { headers: { 'If-None-Match': '"sha256:other"' } })).status, 200);
    const missing = await fetch(`${reg.url}/v2/${name}/manifests/nope`);
    assert.equal(missing.status, 404);
    assert.equal(await errorCode(missing), 'MANIFEST_UNKNOWN');
    assert.equal((await fetch(`${reg.url}/v2/${name}/manifests/${sha256('nope')}`, { method: 'HEAD' })).status, 404);
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/${name}/manifests/bad:tag:x`)), 'DIGEST_INVALID');
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/${name}/manifests/.bad`)), 'TAG_INVALID');
  });

  test('blob HEAD/GET, Range 206, unsatisfiable 416', async () => {
    const head = await fetch(`${reg.url}/v2/${name}/blobs/${layerDigest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(layer.length));
    assert.equal(head.headers.get('docker-content-digest'), layerDigest);
    const part = await fetch(`${reg.url}/v2/${name}/blobs/${layerDigest}`, { headers: { Range: 'bytes=1000-1999' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${layer.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), layer.subarray(1000, 2000));
    const tail = await fetch(`${reg.url}/v2/${name}/blobs/${layerDigest}`, { headers: { Range: 'bytes=299000-' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), layer.subarray(299000));
    const beyond = await fetch(`${reg.url}/v2/${name}/blobs/${layerDigest}`, { headers: { Range: 'bytes=300000-' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${layer.length}`);
    assert.equal((await fetch(`${reg.url}/v2/${name}/blobs/${layerDigest}`, { headers: { 'If-None-Match': `"${layerDigest}"` } })).status, 304);
    const unknown = await fetch(`${reg.url}/v2/${name}/blobs/${sha256('unknown')}`);
    assert.equal(unknown.status, 404);
    assert.equal(await errorCode(unknown), 'BLOB_UNKNOWN');
  });

  test('a client that goes away mid-blob does not disturb the server', async () => {
    const big = randomBytes(20 << 20);
    const d = await pushBlob(reg.url, name, big);
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      const res = await fetch(`${reg.url}/v2/${name}/blobs/${d}`, { signal: ac.signal });
      const reader = res.body!.getReader();
      await reader.read();
      ac.abort();
      await reader.read().catch(() => {});
    }
    const whole = await fetch(`${reg.url}/v2/${name}/blobs/${d}`);
    assert.equal(sha256(Buffer.from(await whole.arrayBuffer())), d);
    assert.equal(reg.proc.exitCode, null);
  });

  test('a blob of repository A is not readable through B until B links it (mount)', async () => {
    const other = 'pull/other';
    assert.equal((await fetch(`${reg.url}/v2/${other}/blobs/${layerDigest}`, { method: 'HEAD' })).status, 404);
    assert.equal((await fetch(`${reg.url}/v2/${other}/manifests/${img.digest}`, { method: 'HEAD' })).status, 404);
    // Mount from a repository that lacks the blob: a plain upload session instead.
    const noBlob = await fetch(`${reg.url}/v2/${other}/blobs/uploads/?mount=${layerDigest}&from=push/test`, { method: 'POST' });
    assert.equal(noBlob.status, 202);
    assert.ok(noBlob.headers.get('docker-upload-uuid'));
    // Mount without from: a session too (no automatic content discovery across repositories).
    const noFrom = await fetch(`${reg.url}/v2/${other}/blobs/uploads/?mount=${layerDigest}`, { method: 'POST' });
    assert.equal(noFrom.status, 202);
    const bad = await fetch(`${reg.url}/v2/${other}/blobs/uploads/?mount=sha256:zz&from=${name}`, { method: 'POST' });
    assert.equal(await errorCode(bad), 'DIGEST_INVALID');
    const mount = await fetch(`${reg.url}/v2/${other}/blobs/uploads/?mount=${layerDigest}&from=${name}`, { method: 'POST' });
    assert.equal(mount.status, 201);
    assert.equal(mount.headers.get('location'), `/v2/${other}/blobs/${layerDigest}`);
    const get = await fetch(`${reg.url}/v2/${other}/blobs/${layerDigest}`);
    assert.equal(get.status, 200);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), layer);
  });

  test('manifest PUT checks: unknown blob, invalid, oversized, digest mismatch, media types', async () => {
    const cfg = Buffer.from('{"os":"linux"}');
    const cfgDigest = await pushBlob(reg.url, name, cfg);
    const unknownLayer = imageManifest({ digest: cfgDigest, size: cfg.length }, [{ digest: sha256('not pushed'), size: 10 }]);
    const r1 = await fetch(`${reg.url}/v2/${name}/manifests/bad`, { method: 'PUT', body: JSON.stringify(unknownLayer), headers: { 'Content-Type': MEDIA_OCI_MANIFEST } });
    assert.equal(r1.status, 400);
    assert.equal(await errorCode(r1), 'MANIFEST_BLOB_UNKNOWN');
    // A blob of another repository is unknown here.
    const foreign = await pushBlob(reg.url, 'elsewhere/repo', Buffer.from('foreign'));
    const r1b = await fetch(`${reg.url}/v2/${name}/manifests/bad`, {
      method: 'PUT',
      body: JSON.stringify(imageManifest({ digest: foreign, size: 7 }, [])),
      headers: { 'Content-Type': MEDIA_OCI_MANIFEST },
    });
    assert.equal(await errorCode(r1b), 'MANIFEST_BLOB_UNKNOWN');
    const unknownChild = { schemaVersion: 2, mediaType: MEDIA_OCI_INDEX, manifests: [{ mediaType: MEDIA_OCI_MANIFEST, digest: sha256('x'), size: 1 }] };
    const r2 = await fetch(`${reg.url}/v2/${name}/manifests/bad`, { method: 'PUT', body: JSON.stringify(unknownChild), headers: { 'Content-Type': MEDIA_OCI_INDEX } });
    assert.equal(await errorCode(r2), 'MANIFEST_BLOB_UNKNOWN');
    for (const [body, ct] of [
      ['not json', MEDIA_OCI_MANIFEST],
      ['{"schemaVersion":1}', MEDIA_OCI_MANIFEST],
      [JSON.stringify({ ...imageManifest({ digest: cfgDigest, size: 14 }, []), mediaType: MEDIA_DOCKER_MANIFEST }), MEDIA_OCI_MANIFEST],
      [JSON.stringify({ schemaVersion: 2, mediaType: 'application/x-unknown', config: {} }), 'application/x-unknown'],
      [JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_OCI_MANIFEST, config: { digest: 'sha256:bad', size: 1, mediaType: 'x' }, layers: [] }), MEDIA_OCI_MANIFEST],
    ]) {
      const r = await fetch(`${reg.url}/v2/${name}/manifests/bad`, { method: 'PUT', body, headers: { 'Content-Type': ct } });
      assert.equal(r.status, 400, body);
      assert.equal(await errorCode(r), 'MANIFEST_INVALID', body);
    }
    const big = { ...imageManifest({ digest: cfgDigest, size: cfg.length }, []), annotations: { pad: 'x'.repeat(4 << 20) } };
    const r3 = await fetch(`${reg.url}/v2/${name}/manifests/big`, { method: 'PUT', body: JSON.stringify(big), headers: { 'Content-Type': MEDIA_OCI_MANIFEST } });
    assert.equal(r3.status, 413);
    assert.equal(await errorCode(r3), 'SIZE_INVALID');
    const good = Buffer.from(JSON.stringify(imageManifest({ digest: cfgDigest, size: cfg.length }, [])));
    const r4 = await fetch(`${reg.url}/v2/${name}/manifests/${sha256('other')}`, { method: 'PUT', body: good, headers: { 'Content-Type': MEDIA_OCI_MANIFEST } });
    assert.equal(await errorCode(r4), 'DIGEST_INVALID');
    const r5 = await fetch(`${reg.url}/v2/${name}/manifests/${sha256(good)}`, { method: 'PUT', body: good, headers: { 'Content-Type': MEDIA_OCI_MANIFEST } });
    assert.equal(r5.status, 201);
    assert.equal(r5.headers.get('location'), `/v2/${name}/manifests/${sha256(good)}`);
    // Docker schema2 with a config blob.
    const docker = { schemaVersion: 2, mediaType: MEDIA_DOCKER_MANIFEST, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: cfgDigest, size: cfg.length }, layers: [] };
    const r6 = await fetch(`${reg.url}/v2/${name}/manifests/docker`, { method: 'PUT', body: JSON.stringify(docker), headers: { 'Content-Type': MEDIA_DOCKER_MANIFEST } });
    assert.equal(r6.status, 201);
    assert.equal((await fetch(`${reg.url}/v2/${name}/manifests/docker`)).headers.get('content-type'), MEDIA_DOCKER_MANIFEST);
  });

  test('index with children, subject and referrers with artifactType filter', async () => {
    const repo = 'disc/refs';
    const a = await pushImage(reg.url, repo, 'a', 1);
    const b = await pushImage(reg.url, repo, 'b', 1);
    const idx = { schemaVersion: 2, mediaType: MEDIA_OCI_INDEX, manifests: [a.digest, b.digest].map((d) => ({ mediaType: MEDIA_OCI_MANIFEST, digest: d, size: 1 })) };
    const idxDigest = await pushManifest(reg.url, repo, 'multi', idx, MEDIA_OCI_INDEX);
    await pushBlob(reg.url, repo, Buffer.from('{}'));
    const sigBlob = Buffer.from('signature');
    const sigDigest = await pushBlob(reg.url, repo, sigBlob);
    const sig = imageManifest(EMPTY_CONFIG, [{ digest: sigDigest, size: sigBlob.length }], {
      artifactType: 'application/vnd.example.sig',
      subject: { mediaType: MEDIA_OCI_INDEX, digest: idxDigest, size: 1 },
      annotations: { 'org.example': 'yes' },
    });
    const put = await fetch(`${reg.url}/v2/${repo}/manifests/${sha256(JSON.stringify(sig))}`, { method: 'PUT', body: JSON.stringify(sig), headers: { 'Content-Type': MEDIA_OCI_MANIFEST } });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('oci-subject'), idxDigest);
    const sbom = imageManifest({ ...EMPTY_CONFIG, mediaType: 'application/vnd.example.sbom' }, [], { subject: { mediaType: MEDIA_OCI_INDEX, digest: idxDigest, size: 1 } });
    await pushManifest(reg.url, repo, sha256(JSON.stringify(sbom)), sbom, MEDIA_OCI_MANIFEST);
    const all = await fetch(`${reg.url}/v2/${repo}/referrers/${idxDigest}`);
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('content-type'), MEDIA_OCI_INDEX);
    const body = (await all.json()) as { manifests: Array<{ digest: string; artifactType: string; annotations?: unknown }> };
    assert.deepEqual(body.manifests.map((m) => m.artifactType).sort(), ['application/vnd.example.sbom', 'application/vnd.example.sig']);
    const filtered = await fetch(`${reg.url}/v2/${repo}/referrers/${idxDigest}?artifactType=application/vnd.example.sig`);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    const fb = (await filtered.json()) as { manifests: Array<{ digest: string; annotations: unknown }> };
    assert.equal(fb.manifests.length, 1);
    assert.equal(fb.manifests[0].digest, sha256(JSON.stringify(sig)));
    assert.deepEqual(fb.manifests[0].annotations, { 'org.example': 'yes' });
    const none = await fetch(`${reg.url}/v2/${repo}/referrers/${sha256('nothing')}`);
    assert.equal(none.status, 200);
    assert.deepEqual(((await none.json()) as { manifests: unknown[] }).manifests, []);
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/${repo}/referrers/sha256:bad`)), 'DIGEST_INVALID');
  });

  test('tags list with n/last pagination and Link', async () => {
    const repo = 'disc/tags';
    const { digest } = await pushImage(reg.url, repo, 't0', 1);
    const m = await (await fetch(`${reg.url}/v2/${repo}/manifests/${digest}`)).arrayBuffer();
    for (const t of ['t1', 't2', 't3', 't4']) {
      await fetch(`${reg.url}/v2/${repo}/manifests/${t}`, { method: 'PUT', body: m, headers: { 'Content-Type': MEDIA_OCI_MANIFEST } });
    }
    const all = await fetch(`${reg.url}/v2/${repo}/tags/list`);
    assert.deepEqual(await all.json(), { name: repo, tags: ['t0', 't1', 't2', 't3', 't4'] });
    assert.equal(all.headers.get('link'), null);
    const p1 = await fetch(`${reg.url}/v2/${repo}/tags/list?n=2`);
    assert.deepEqual(((await p1.json()) as { tags: string[] }).tags, ['t0', 't1']);
    const link = p1.headers.get('link')!;
    assert.match(link, /^<\/v2\/disc\/tags\/tags\/list\?last=t1&n=2>; rel="next"$/);
    const p2 = await fetch(`${reg.url}${/<([^>]+)>/.exec(link)![1]}`);
    assert.deepEqual(((await p2.json()) as { tags: string[] }).tags, ['t2', 't3']);
    const p3 = await fetch(`${reg.url}/v2/${repo}/tags/list?n=2&last=t3`);
    assert.deepEqual(((await p3.json()) as { tags: string[] }).tags, ['t4']);
    assert.equal(p3.headers.get('link'), null);
    assert.deepEqual(((await (await fetch(`${reg.url}/v2/${repo}/tags/list?n=0`)).json()) as { tags: string[] }).tags, []);
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/${repo}/tags/list?n=-1`)), 'PAGINATION_NUMBER_INVALID');
    const unknown = await fetch(`${reg.url}/v2/no/such/repo/tags/list`);
    assert.equal(unknown.status, 404);
    assert.equal(await errorCode(unknown), 'NAME_UNKNOWN');
  });

  test('_catalog with pagination, and v1 search', async () => {
    const all = (await (await fetch(`${reg.url}/v2/_catalog`)).json()) as { repositories: string[] };
    assert.ok(all.repositories.includes('pull/image'));
    assert.ok(all.repositories.includes('disc/tags'));
    assert.deepEqual(all.repositories, [...all.repositories].sort());
    const p1 = await fetch(`${reg.url}/v2/_catalog?n=1`);
    const b1 = (await p1.json()) as { repositories: string[] };
    assert.deepEqual(b1.repositories, all.repositories.slice(0, 1));
    assert.match(p1.headers.get('link')!, /^<\/v2\/_catalog\?last=[^&]+&n=1>; rel="next"$/);
    const p2 = (await (await fetch(`${reg.url}${/<([^>]+)>/.exec(p1.headers.get('link')!)![1]}`)).json()) as { repositories: string[] };
    assert.deepEqual(p2.repositories, all.repositories.slice(1, 2));
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/_catalog?n=100000`)), 'PAGINATION_NUMBER_INVALID');
    const search = (await (await fetch(`${reg.url}/v1/search?q=disc&n=10`)).json()) as { num_results: number; query: string; results: Array<{ name: string; description: string }> };
    assert.equal(search.query, 'disc');
    assert.deepEqual(search.results.map((r) => r.name), ['disc/refs', 'disc/tags']);
    assert.equal(search.num_results, 2);
    assert.equal(search.results[0].description, '');
  });
});

describe('content management and GC', () => {
  test('delete tag, manifest, blob; then 404', async () => {
    const repo = 'mgmt/del';
    const img = await pushImage(reg.url, repo, 'keep', 1);
    const m = await (await fetch(`${reg.url}/v2/${repo}/manifests/keep`)).arrayBuffer();
    await fetch(`${reg.url}/v2/${repo}/manifests/gone`, { method: 'PUT', body: m, headers: { 'Content-Type': MEDIA_OCI_MANIFEST } });
    assert.equal((await fetch(`${reg.url}/v2/${repo}/manifests/gone`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${reg.url}/v2/${repo}/manifests/gone`)).status, 404);
    assert.equal((await fetch(`${reg.url}/v2/${repo}/manifests/keep`)).status, 200);
    assert.equal((await fetch(`${reg.url}/v2/${repo}/manifests/${img.digest}`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${reg.url}/v2/${repo}/manifests/${img.digest}`)).status, 404);
    // Deleting a revision removes the tags that pointed at it.
    assert.equal((await fetch(`${reg.url}/v2/${repo}/manifests/keep`)).status, 404);
    assert.deepEqual(((await (await fetch(`${reg.url}/v2/${repo}/tags/list`)).json()) as { tags: string[] }).tags, []);
    const again = await fetch(`${reg.url}/v2/${repo}/manifests/${img.digest}`, { method: 'DELETE' });
    assert.equal(await errorCode(again), 'MANIFEST_UNKNOWN');
    const l = img.layerDigests[0];
    assert.equal((await fetch(`${reg.url}/v2/${repo}/blobs/${l}`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${reg.url}/v2/${repo}/blobs/${l}`)).status, 404);
    assert.equal(await errorCode(await fetch(`${reg.url}/v2/${repo}/blobs/${l}`, { method: 'DELETE' })), 'BLOB_UNKNOWN');
  });

  test('delete is UNSUPPORTED when storage.delete.enabled is false', async () => {
    const ro = await startBerthRegistry(['--addr', '127.0.0.1:0', '--root', root]);
    try {
      const r = await fetch(`${ro.url}/v2/pull/image/manifests/v1`, { method: 'DELETE' });
      assert.equal(r.status, 405);
      assert.equal(await errorCode(r), 'UNSUPPORTED');
      assert.equal((await fetch(`${ro.url}/v2/pull/image/blobs/${sha256('x')}`, { method: 'DELETE' })).status, 405);
      assert.equal((await fetch(`${ro.url}/v2/pull/image/manifests/v1`)).status, 200);
    } finally {
      await ro.stop();
    }
  });

  test('storage.maintenance.readonly refuses every write and still serves reads', async () => {
    const roConfig = join(dir, 'readonly.yml');
    await writeFile(roConfig, `version: 0.1\nlog:\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\n  maintenance:\n    readonly:\n      enabled: true\nhttp:\n  addr: 127.0.0.1:0\n`);
    const ro = await startBerthRegistry(['--config', roConfig]);
    try {
      assert.equal((await fetch(`${ro.url}/v2/pull/image/manifests/v1`)).status, 200);
      for (const [method, path] of [
        ['POST', '/v2/pull/image/blobs/uploads/'],
        ['PUT', '/v2/pull/image/manifests/v9'],
        ['DELETE', '/v2/pull/image/manifests/v1'],
        ['PATCH', '/v2/pull/image/blobs/uploads/00000000-0000-0000-0000-000000000000'],
      ]) {
        const r = await fetch(`${ro.url}${path}`, { method, body: method === 'DELETE' ? undefined : '{}' });
        assert.equal(r.status, 405, `${method} ${path}`);
        assert.equal(await errorCode(r), 'UNSUPPORTED');
      }
      assert.equal((await fetch(`${ro.url}/v2/pull/image/manifests/v1`)).status, 200);
    } finally {
      await ro.stop();
    }
  });

  test('GC after deleting a tag removes only unreferenced blobs', async () => {
    const gcRoot = join(dir, 'gc-root');
    const gcConfig = join(dir, 'gc.yml');
    await writeFile(gcConfig, `version: 0.1\nlog:\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${gcRoot}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:0\n`);
    const g = await startBerthRegistry(['--config', gcConfig]);
    const shared = randomBytes(2000);
    let keep: Awaited<ReturnType<typeof pushImage>>;
    let drop: Awaited<ReturnType<typeof pushImage>>;
    let idxChild: Awaited<ReturnType<typeof pushImage>>;
    let sigLayer: string;
    const orphan = randomBytes(100);
    try {
      keep = await pushImage(g.url, 'gc/a', 'keep', 1, [shared]);
      drop = await pushImage(g.url, 'gc/a', 'drop', 1, [shared]);
      idxChild = await pushImage(g.url, 'gc/b', 'tmp', 1);
      // An index tagged, whose child loses its own tag: the child stays (index children).
      const idx = { schemaVersion: 2, mediaType: MEDIA_OCI_INDEX, manifests: [{ mediaType: MEDIA_OCI_MANIFEST, digest: idxChild.digest, size: 1 }] };
      await pushManifest(g.url, 'gc/b', 'idx', idx, MEDIA_OCI_INDEX);
      assert.equal((await fetch(`${g.url}/v2/gc/b/manifests/tmp`, { method: 'DELETE' })).status, 202);
      // A referrer (untagged) of the kept image stays with it.
      await pushBlob(g.url, 'gc/a', Buffer.from('{}'));
      const sl = Buffer.from('sig-layer');
      sigLayer = await pushBlob(g.url, 'gc/a', sl);
      const sig = imageManifest(EMPTY_CONFIG, [{ digest: sigLayer, size: sl.length }], { subject: { mediaType: MEDIA_OCI_MANIFEST, digest: keep.digest, size: 1 } });
      await pushManifest(g.url, 'gc/a', sha256(JSON.stringify(sig)), sig, MEDIA_OCI_MANIFEST);
      await pushBlob(g.url, 'gc/a', orphan);
      assert.equal((await fetch(`${g.url}/v2/gc/a/manifests/drop`, { method: 'DELETE' })).status, 202);
    } finally {
      await g.stop();
    }
    const blobPath = (d: string) => join(gcRoot, 'docker/registry/v2/blobs/sha256', d.slice(7, 9), d.slice(7), 'data');
    // Dry run: nothing goes, but the orphan is reported.
    const dry = await run(BERTH_REGISTRY, ['garbage-collect', '--dry-run', gcConfig]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`blob eligible for deletion: ${sha256(orphan)}`));
    assert.equal(existsSync(blobPath(sha256(orphan))), true);
    // Without --delete-untagged the untagged "drop" revision still references its blobs.
    const plain = await run(BERTH_REGISTRY, ['garbage-collect', '--grace', '0s', gcConfig]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(existsSync(blobPath(sha256(orphan))), false);
    assert.equal(existsSync(blobPath(drop.configDigest)), true);
    // With it, drop's own blobs go; shared, kept, index children and referrers stay.
    const untagged = await run(BERTH_REGISTRY, ['garbage-collect', '--grace', '0s', '--delete-untagged', gcConfig]);
    assert.equal(untagged.code, 0, untagged.stderr);
    for (const d of [drop.digest, drop.configDigest, drop.layerDigests[1]]) assert.equal(existsSync(blobPath(d)), false, `${d} swept`);
    for (const d of [keep.digest, keep.configDigest, ...keep.layerDigests, sha256(shared), idxChild.digest, idxChild.configDigest, ...idxChild.layerDigests, sigLayer!]) {
      assert.equal(existsSync(blobPath(d)), true, `${d} kept`);
    }
    // The registry still serves everything that was kept, and a pull of "keep" is whole.
    const g2 = await startBerthRegistry(['--config', gcConfig]);
    try {
      assert.equal((await fetch(`${g2.url}/v2/gc/a/manifests/drop`)).status, 404);
      assert.equal((await fetch(`${g2.url}/v2/gc/a/manifests/${drop.digest}`)).status, 404);
      for (const d of [keep.configDigest, ...keep.layerDigests]) assert.equal((await fetch(`${g2.url}/v2/gc/a/blobs/${d}`)).status, 200);
      assert.equal((await fetch(`${g2.url}/v2/gc/b/manifests/${idxChild.digest}`)).status, 200);
      assert.equal((await fetch(`${g2.url}/v2/gc/a/blobs/${drop.configDigest}`, { method: 'HEAD' })).status, 404);
    } finally {
      await g2.stop();
    }
  });

  test('storage.gc runs the collector inside the server, beside pushes', async () => {
    const gcRoot = join(dir, 'gc-inproc');
    const gcConfig = join(dir, 'gc-inproc.yml');
    await writeFile(gcConfig, `version: 0.1\nlog:\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${gcRoot}\n  delete:\n    enabled: true\n  gc:\n    enabled: true\n    interval: 1s\n    minage: 3s\n    deleteuntagged: true\nhttp:\n  addr: 127.0.0.1:0\n`);
    const g = await startBerthRegistry(['--config', gcConfig]);
    try {
      const keep = await pushImage(g.url, 'gc/in', 'keep', 1);
      const drop = await pushImage(g.url, 'gc/in', 'drop', 1);
      assert.equal((await fetch(`${g.url}/v2/gc/in/manifests/drop`, { method: 'DELETE' })).status, 202);
      await waitUntil(async () => (await fetch(`${g.url}/v2/gc/in/manifests/${drop.digest}`, { method: 'HEAD' })).status === 404, 'in-process GC');
      await waitUntil(async () => (await fetch(`${g.url}/v2/gc/in/blobs/${drop.layerDigests[0]}`, { method: 'HEAD' })).status === 404, 'layer swept');
      // Pushes keep working while the collector runs every second, and what they push stays
      // (blobs wait for their manifest: minage keeps them meanwhile).
      for (let i = 0; i < 5; i++) await pushImage(g.url, 'gc/in', `more${i}`, 1);
      for (const d of [keep.digest, keep.configDigest, ...keep.layerDigests]) {
        assert.equal((await fetch(`${g.url}/v2/gc/in/blobs/${d}`, { method: 'HEAD' })).status, 200);
      }
      for (let i = 0; i < 5; i++) assert.equal((await fetch(`${g.url}/v2/gc/in/manifests/more${i}`, { method: 'HEAD' })).status, 200);
      assert.match(g.stderr(), /garbage collection done/);
    } finally {
      await g.stop();
    }
  });

  test('garbage-collect beside a running server: manifest PUTs wait for it, then check their blobs', async () => {
    const sideRoot = join(dir, 'gc-side');
    const sideConfig = join(dir, 'gc-side.yml');
    await writeFile(sideConfig, `version: 0.1\nlog:\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${sideRoot}\nhttp:\n  addr: 127.0.0.1:0\n`);
    const s = await startBerthRegistry(['--config', sideConfig]);
    try {
      const kept = await pushImage(s.url, 'side/a', 'v1', 1);
      const cfg = Buffer.from('{"pushed":"before the collection"}');
      const cfgDigest = await pushBlob(s.url, 'side/a', cfg);
      const gc = spawn(BERTH_REGISTRY, ['garbage-collect', '--grace', '1s', sideConfig], { stdio: 'ignore' });
      const exited = new Promise<number>((r) => gc.once('exit', (code) => r(code ?? -1)));
      let gcDone = false;
      void exited.then(() => (gcDone = true));
      const marker = join(sideRoot, 'docker/registry/v2/berth-gc/running');
      await waitUntil(() => existsSync(marker) || gcDone, 'the collector to announce itself');
      assert.equal(gcDone, false, 'collector still running');
      // The blob was unreferenced and old enough: the collector sweeps it, and the held PUT
      // then fails cleanly instead of storing a manifest whose blob is gone.
      const manifest = imageManifest({ digest: cfgDigest, size: cfg.length }, []);
      const put = await fetch(`${s.url}/v2/side/a/manifests/late`, { method: 'PUT', body: JSON.stringify(manifest), headers: { 'Content-Type': MEDIA_OCI_MANIFEST } });
      // The collector removes its marker as its last step, and may exit only after the
      // server has answered: the marker, not the process exit, shows the PUT waited.
      assert.equal(existsSync(marker), false, 'the PUT was answered only after the collection');
      assert.equal(await exited, 0);
      assert.equal(put.status, 400);
      assert.equal(await errorCode(put), 'MANIFEST_BLOB_UNKNOWN');
      assert.equal(existsSync(marker), false);
      for (const d of [kept.digest, kept.configDigest, ...kept.layerDigests]) {
        assert.equal((await fetch(`${s.url}/v2/side/a/blobs/${d}`, { method: 'HEAD' })).status, 200);
      }
      // Pushed again, it works.
      await pushBlob(s.url, 'side/a', cfg);
      assert.equal(await pushManifest(s.url, 'side/a', 'late', manifest, MEDIA_OCI_MANIFEST), sha256(JSON.stringify(manifest)));
    } finally {
      await s.stop();
    }
  });

  test('garbage-collect refuses a missing config', async () => {
    const r = await run(BERTH_REGISTRY, ['garbage-collect', join(dir, 'missing.yml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /configuration error/);
  });

  test('upload purging removes old sessions at start and on its interval', async () => {
    const post = await fetch(`${reg.url}/v2/purge/me/blobs/uploads/`, { method: 'POST' });
    const loc = post.headers.get('location')!;
    await fetch(`${reg.url}${loc}`, { method: 'PATCH', body: 'partial' });
    const id = post.headers.get('docker-upload-uuid')!;
    const uploadDir = join(root, 'docker/registry/v2/repositories/purge/me/_uploads', id);
    assert.equal(existsSync(uploadDir), true);
    const purgeConfig = join(dir, 'purge.yml');
    const base = `version: 0.1\nlog:\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${root}\nhttp:\n  addr: 127.0.0.1:0\n`;
    await writeFile(purgeConfig, `${base}  \n`.replace('storage:\n', 'storage:\n  maintenance:\n    uploadpurging:\n      enabled: true\n      age: 1ms\n      interval: 1h\n      dryrun: true\n'));
    const dry = await startBerthRegistry(['--config', purgeConfig]);
    await waitUntil(() => dry.stderr().includes(id), 'dry-run purge report');
    await dry.stop();
    assert.equal(existsSync(uploadDir), true);
    await writeFile(purgeConfig, base.replace('storage:\n', 'storage:\n  maintenance:\n    uploadpurging:\n      enabled: true\n      age: 1ms\n      interval: 1h\n      dryrun: false\n'));
    const real = await startBerthRegistry(['--config', purgeConfig]);
    try {
      await waitUntil(async () => !existsSync(uploadDir), 'upload purged');
      assert.equal(await errorCode(await fetch(`${reg.url}${loc}`)), 'BLOB_UPLOAD_UNKNOWN');
    } finally {
      await real.stop();
    }
  });

  test('access log: one JSON line per request', async () => {
    await fetch(`${reg.url}/v2/pull/image/tags/list`, { headers: { 'User-Agent': 'access-log-test' } });
    await waitUntil(async () => (await readFile(accessLogFile, 'utf8')).includes('access-log-test'), 'access log line');
    const lines = (await readFile(accessLogFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = lines.find((l) => l.user_agent === 'access-log-test')!;
    assert.equal(mine.method, 'GET');
    assert.equal(mine.path, '/v2/pull/image/tags/list');
    assert.equal(mine.status, 200);
    assert.ok((mine.bytes as number) > 0);
    assert.equal(typeof mine.duration_ms, 'number');
    assert.equal(mine.remote, '127.0.0.1');
    assert.equal(mine.subject, null);
    assert.ok(!Number.isNaN(Date.parse(mine.time as string)));
  });
});

async function waitUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('skopeo and docker-registry', () => {
  /** The OCI layout inside the busybox fixture archive: its manifest digest. */
  async function fixtureDigest(): Promise<string> {
    const out = await run('tar', ['-xOf', LAYERED_TAR, 'index.json']);
    return (JSON.parse(out.stdout) as { manifests: Array<{ digest: string }> }).manifests[0].digest;
  }

  test('skopeo copies an OCI image into berth-registry and back out unchanged', async () => {
    const want = await fixtureDigest();
    const push = await run('skopeo', ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci-archive:${LAYERED_TAR}`, `docker://${reg.host}/skopeo/busybox:layered`], { timeoutMs: 120_000 });
    assert.equal(push.code, 0, push.stderr);
    const head = await fetch(`${reg.url}/v2/skopeo/busybox/manifests/layered`, { method: 'HEAD' });
    assert.equal(head.headers.get('docker-content-digest'), want);
    const outDir = join(dir, 'skopeo-out');
    const pull = await run('skopeo', ['copy', '--preserve-digests', '--src-tls-verify=false', `docker://${reg.host}/skopeo/busybox:layered`, `oci:${outDir}:layered`], { timeoutMs: 120_000 });
    assert.equal(pull.code, 0, pull.stderr);
    const index = JSON.parse(await readFile(join(outDir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(index.manifests[0].digest, want);
    // Every blob came out byte for byte (its name is its digest).
    for (const f of await readdir(join(outDir, 'blobs/sha256'))) {
      assert.equal(sha256(await readFile(join(outDir, 'blobs/sha256', f))), `sha256:${f}`);
    }
    const inspect = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/skopeo/busybox:layered`]);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.equal((JSON.parse(inspect.stdout) as { Digest: string }).Digest, want);
  });

  test('a root written by docker-registry is served by berth-registry and the other way round', async () => {
    const want = await fixtureDigest();
    // docker-registry writes, berth-registry reads.
    const r1 = join(dir, 'interop-1');
    await mkdir(r1);
    const dr = await startDockerRegistry(dir, r1);
    try {
      const push = await run('skopeo', ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci-archive:${LAYERED_TAR}`, `docker://${dr.host}/interop/busybox:layered`], { timeoutMs: 120_000 });
      assert.equal(push.code, 0, push.stderr);
    } finally {
      await dr.stop();
    }
    const br = await startBerthRegistry(['--addr', '127.0.0.1:0', '--root', r1]);
    try {
      const out = join(dir, 'interop-out-1');
      const pull = await run('skopeo', ['copy', '--preserve-digests', '--src-tls-verify=false', `docker://${br.host}/interop/busybox:layered`, `oci:${out}:x`], { timeoutMs: 120_000 });
      assert.equal(pull.code, 0, pull.stderr);
      assert.equal((JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> }).manifests[0].digest, want);
      assert.deepEqual(((await (await fetch(`${br.url}/v2/_catalog`)).json()) as { repositories: string[] }).repositories, ['interop/busybox']);
      assert.deepEqual(((await (await fetch(`${br.url}/v2/interop/busybox/tags/list`)).json()) as { tags: string[] }).tags, ['layered']);
      // berth-registry adds a tag and a chunked blob to the same root.
      await pushImage(br.url, 'interop/busybox', 'from-berth', 1);
    } finally {
      await br.stop();
    }
    // docker-registry serves what berth-registry wrote.
    const dr2 = await startDockerRegistry(dir, r1);
    try {
      const tags = (await (await fetch(`${dr2.url}/v2/interop/busybox/tags/list`)).json()) as { tags: string[] };
      assert.deepEqual(tags.tags.sort(), ['from-berth', 'layered']);
      const out = join(dir, 'interop-out-2');
      const pull = await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${dr2.host}/interop/busybox:from-berth`, `oci:${out}:x`], { timeoutMs: 120_000 });
      assert.equal(pull.code, 0, pull.stderr);
    } finally {
      await dr2.stop();
    }
    // berth-registry writes a fresh root, docker-registry reads it.
    const r2 = join(dir, 'interop-2');
    const br2 = await startBerthRegistry(['--addr', '127.0.0.1:0', '--root', r2]);
    try {
      const push = await run('skopeo', ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci-archive:${LAYERED_TAR}`, `docker://${br2.host}/berth/busybox:layered`], { timeoutMs: 120_000 });
      assert.equal(push.code, 0, push.stderr);
    } finally {
      await br2.stop();
    }
    const dr3 = await startDockerRegistry(dir, r2);
    try {
      const out = join(dir, 'interop-out-3');
      const pull = await run('skopeo', ['copy', '--preserve-digests', '--src-tls-verify=false', `docker://${dr3.host}/berth/busybox:layered`, `oci:${out}:x`], { timeoutMs: 120_000 });
      assert.equal(pull.code, 0, pull.stderr);
      assert.equal((JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> }).manifests[0].digest, want);
      const cat = (await (await fetch(`${dr3.url}/v2/_catalog`)).json()) as { repositories: string[] };
      assert.deepEqual(cat.repositories, ['berth/busybox']);
    } finally {
      await dr3.stop();
    }
  });
});

describe('TLS', () => {
  /** GET over HTTPS trusting `ca`, optionally with a client certificate. */
  function httpsGet(url: string, ca: Buffer, client?: { cert: Buffer; key: Buffer }): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { ca, ...(client ?? {}) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('http.tls serves HTTPS; clientcas requires a client certificate from that CA', async () => {
    const t = join(dir, 'tls');
    await mkdir(t);
    const ssl = (args: string[]) => run('openssl', args, { timeoutMs: 30_000 });
    // A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by it.
    assert.equal((await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-ca', '-keyout', join(t, 'ca.key'), '-out', join(t, 'ca.crt')])).code, 0);
    for (const who of ['server', 'client']) {
      assert.equal((await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', join(t, `${who}.key`), '-out', join(t, `${who}.csr`)])).code, 0);
      await writeFile(join(t, `${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
      const r = await ssl(['x509', '-req', '-in', join(t, `${who}.csr`), '-CA', join(t, 'ca.crt'), '-CAkey', join(t, 'ca.key'), '-CAcreateserial', '-days', '2', '-extfile', join(t, `${who}.ext`), '-out', join(t, `${who}.crt`)]);
      assert.equal(r.code, 0, r.stderr);
    }
    const ca = await readFile(join(t, 'ca.crt'));
    const base = `version: 0.1\nlog:\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${root}\nhttp:\n  addr: 127.0.0.1:0\n  tls:\n    certificate: ${join(t, 'server.crt')}\n    key: ${join(t, 'server.key')}\n`;
    await writeFile(join(t, 'tls.yml'), base);
    const tls = await startBerthRegistry(['--config', join(t, 'tls.yml')]);
    try {
      assert.equal(await httpsGet(`https://${tls.host}/v2/`, ca), 200);
      await assert.rejects(httpsGet(`https://${tls.host}/v2/`, Buffer.from('')), /certificate|self.signed|unable/i);
      // skopeo reads *.crt in a cert dir as CAs: a push over verified TLS.
      const certs = join(t, 'certs');
      await mkdir(certs);
      await writeFile(join(certs, 'ca.crt'), ca);
      const push = await run('skopeo', ['copy', '--dest-cert-dir', certs, `oci-archive:${LAYERED_TAR}`, `docker://${tls.host}/tls/busybox:layered`], { timeoutMs: 120_000 });
      assert.equal(push.code, 0, push.stderr);
      const refused = await run('skopeo', ['inspect', `docker://${tls.host}/tls/busybox:layered`]);
      assert.notEqual(refused.code, 0, 'no trust without the CA');
    } finally {
      await tls.stop();
    }
    await writeFile(join(t, 'mtls.yml'), `${base}    clientcas:\n      - ${join(t, 'ca.crt')}\n`);
    const mtls = await startBerthRegistry(['--config', join(t, 'mtls.yml')]);
    try {
      await assert.rejects(httpsGet(`https://${mtls.host}/v2/`, ca));
      const client = { cert: await readFile(join(t, 'client.crt')), key: await readFile(join(t, 'client.key')) };
      assert.equal(await httpsGet(`https://${mtls.host}/v2/`, ca, client), 200);
    } finally {
      await mtls.stop();
    }
  });
});
