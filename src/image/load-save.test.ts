import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { zstdCompressSync } from 'node:zlib';
import { createImageService, type ImageService, type ProgressMessage } from './index.ts';
import { MEDIA_TYPE } from './types.ts';
import { chunks, FakeLayerStore, gzip, imageConfig, layerWith, makeTar, withTempDir, type TarMember } from './image.test-helpers.ts';
import { sha256Digest } from '../content/index.ts';

const execFileP = promisify(execFile);
const hex = (d: string) => d.slice(7);

async function service(dir: string) {
  const layers = new FakeLayerStore();
  const events: string[] = [];
  const svc = await createImageService({ dataRoot: dir, layers, onEvent: (e) => events.push(e.Action) });
  return { svc, layers, events };
}

async function load(svc: ImageService, archive: Uint8Array, quiet = true) {
  const msgs: ProgressMessage[] = [];
  const ids = await svc.load(chunks(archive), (m) => msgs.push(m), { quiet });
  return { ids, msgs, streams: msgs.filter((m) => m.stream).map((m) => m.stream) };
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

/** A docker-archive with two layers: a legacy `<id>/layer.tar` one and a gzip blob, manifest.json last. */
async function dockerArchive(tags: string[] = ['busybox:latest']) {
  const l1 = await layerWith('bin/sh', 'shell');
  const l2 = await layerWith('etc/motd', 'hello');
  const gz = gzip(l2.tar);
  const config = imageConfig([l1.diffId, l2.diffId]);
  const id = sha256Digest(config);
  const members: TarMember[] = [
    { name: 'blobs', type: 'dir' },
    { name: 'blobs/sha256', type: 'dir' },
    { name: `blobs/sha256/${hex(id)}`, data: config },
    { name: `blobs/sha256/${hex(sha256Digest(gz))}`, data: gz },
    { name: 'aaaa/layer.tar', data: l1.tar },
    { name: 'aaaa/json', type: 'symlink', linkname: '../../etc/passwd' },
    { name: 'manifest.json', data: JSON.stringify([{ Config: `blobs/sha256/${hex(id)}`, RepoTags: tags, Layers: ['aaaa/layer.tar', `blobs/sha256/${hex(sha256Digest(gz))}`] }]) },
  ];
  return { archive: await makeTar(members), id, l1, l2, gz, config };
}

test('load a docker-archive: layers registered in order, blobs kept as received, tags written', () =>
  withTempDir(async (dir) => {
    const { svc, layers, events } = await service(dir);
    const a = await dockerArchive();
    const r = await load(svc, gzip(a.archive), false);
    assert.deepEqual(r.ids, [a.id]);
    assert.deepEqual(r.streams, ['Loaded image: busybox:latest\n']);
    const progress = r.msgs.filter((m) => m.status === 'Loading layer');
    assert.ok(progress.length >= 2);
    assert.equal(progress[0].id, hex(a.l1.diffId).slice(0, 12));
    assert.equal(svc.get('busybox').id, a.id);
    const img = svc.get(a.id);
    assert.deepEqual([...layers.layers.keys()], img.chainIds);
    // The gzip blob is kept compressed, the plain one plain.
    assert.equal(await svc.content.has(sha256Digest(a.gz)), true);
    assert.equal(await svc.content.has(a.l1.diffId), true);
    assert.deepEqual(events, ['load']);
    assert.deepEqual(await readdir(join(dir, 'tmp')), [], 'the spool dir is gone');

    // Loading again registers nothing new; re-tagging to another image says so like Docker.
    const before = layers.registerCalls;
    await load(svc, a.archive);
    assert.equal(layers.registerCalls, before);
    const l3 = await layerWith('x', 'y');
    const cfg = imageConfig([l3.diffId]);
    const other = await makeTar([
      { name: 'layer.tar', data: l3.tar },
      { name: 'cfg.json', data: cfg },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['busybox:latest'], Layers: ['layer.tar'] }]) },
    ]);
    const r2 = await load(svc, other);
    assert.deepEqual(r2.streams, [
      `The image busybox:latest already exists, renaming the old one with ID ${a.id} to empty string\n`,
      'Loaded image: busybox:latest\n',
    ]);
    assert.equal(svc.get('busybox').id, sha256Digest(cfg));
    assert.deepEqual(svc.references(a.id).repoTags, []);
  }));

test('untagged images print their ID', () =>
  withTempDir(async (dir) => {
    const { svc } = await service(dir);
    const a = await dockerArchive([]);
    assert.deepEqual((await load(svc, a.archive)).streams, [`Loaded image ID: ${a.id}\n`]);
  }));

/** An OCI layout: index.json → image index → per-platform manifests, zstd layer. */
async function ociArchive() {
  const l1 = await layerWith('bin/true', 'x');
  const z = zstdCompressSync(l1.tar);
  const config = imageConfig([l1.diffId]);
  const armConfig = imageConfig([l1.diffId], { architecture: 'arm64' });
  const desc = (mediaType: string, data: Uint8Array, extra: object = {}) => ({ mediaType, digest: sha256Digest(data), size: data.length, ...extra });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociManifest, config: desc(MEDIA_TYPE.ociConfig, config), layers: [desc(MEDIA_TYPE.ociLayerZstd, z)] }));
  const armManifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: desc(MEDIA_TYPE.ociConfig, armConfig), layers: [desc(MEDIA_TYPE.ociLayerZstd, z)] }));
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    manifests: [
      desc(MEDIA_TYPE.ociManifest, armManifest, { platform: { os: 'linux', architecture: 'arm64' } }),
      desc(MEDIA_TYPE.ociManifest, manifest, { platform: { os: 'linux', architecture: 'amd64' } }),
    ],
  }));
  const top = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    manifests: [
      desc(MEDIA_TYPE.ociIndex, index, { annotations: { 'io.containerd.image.name': 'docker.io/library/app:1', 'org.opencontainers.image.ref.name': '1' } }),
      desc(MEDIA_TYPE.ociIndex, index, { annotations: { 'org.opencontainers.image.ref.name': 'example.com/app:2' } }),
      desc(MEDIA_TYPE.ociIndex, index, { annotations: { 'org.opencontainers.image.ref.name': 'latest' } }),
    ],
  }));
  const blob = (d: Uint8Array): TarMember => ({ name: `blobs/sha256/${hex(sha256Digest(d))}`, data: d });
  const members = [blob(z), blob(config), blob(armConfig), blob(manifest), blob(armManifest), blob(index), { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' }, { name: 'index.json', data: top }];
  return { members, id: sha256Digest(config), z };
}

test('load an OCI image layout, following the index to linux/amd64', () =>
  withTempDir(async (dir) => {
    const { svc } = await service(dir);
    const o = await ociArchive();
    const r = await load(svc, await makeTar(o.members));
    assert.deepEqual(r.ids, [o.id]);
    assert.deepEqual(r.streams, ['Loaded image: app:1\n', 'Loaded image: example.com/app:2\n']);
    assert.equal(svc.get('app:1').id, o.id);
    assert.equal(await svc.content.has(sha256Digest(o.z)), true);
  }));

test('bad archives are refused and leave nothing behind', () =>
  withTempDir(async (dir) => {
    const { svc, layers } = await service(dir);
    const refuse = async (archive: Uint8Array, re: RegExp) => {
      await assert.rejects(load(svc, archive), (e: Error & { kind: string }) => re.test(e.message) && e.kind === 'InvalidParameter', re.source);
      assert.deepEqual(await readdir(join(dir, 'tmp')), []);
      assert.equal(layers.layers.size, 0, 'no layer left');
      assert.deepEqual(await svc.list(), []);
    };
    const l1 = await layerWith('a', '1');
    const l2 = await layerWith('b', '2');
    const cfg = imageConfig([l1.diffId, l2.diffId]);
    const files = (manifest: string, extra: TarMember[] = []) =>
      makeTar([{ name: 'l1.tar', data: l1.tar }, { name: 'l2.tar', data: l2.tar }, { name: 'c.json', data: cfg }, ...extra, { name: 'manifest.json', data: manifest }]);

    await refuse(await files('[{"Config": "c.json",'), /invalid manifest.json/);
    await refuse(await files('{"Config": "c.json"}'), /invalid manifest.json: not an array/);
    await refuse(await files('[{"Config": "c.json", "Layers": [1]}]'), /Layers must be an array of strings/);
    await refuse(await files('[{"Config": "c.json", "Layers": ["l1.tar"]}]'), /invalid manifest, layers length mismatch: expected 1, got 2/);
    await refuse(await files('[{"Config": "c.json", "Layers": ["l1.tar", "missing.tar"]}]'), /missing layer missing.tar/);
    await refuse(await files('[{"Config": "nope.json", "Layers": []}]'), /missing image config nope.json/);
    await refuse(await files('[{"Config": "c.json", "RepoTags": ["Bad"], "Layers": ["l1.tar", "l2.tar"]}]'), /must be lowercase/);
    await refuse(await files('[{"Config": "c.json", "RepoTags": ["x@sha256:' + 'a'.repeat(64) + '"], "Layers": ["l1.tar", "l2.tar"]}]'), /invalid tag/);
    // Second layer's content does not match its diff ID: the first layer, registered by this load, goes again.
    await refuse(await files('[{"Config": "c.json", "Layers": ["l1.tar", "l1.tar"]}]'), /diff ID mismatch|invalid diffID/);
    // A blob named by digest must have that digest.
    const wrong = `blobs/sha256/${'0'.repeat(64)}`;
    await refuse(await files(JSON.stringify([{ Config: 'c.json', Layers: ['l1.tar', wrong] }]), [{ name: wrong, data: l2.tar }]), /has digest sha256:[a-f0-9]{64}, expected sha256:0{64}/);
    // Names escaping the archive.
    await refuse(await makeTar([{ name: '../evil', data: 'x' }, { name: 'manifest.json', data: '[]' }]), /path escapes the archive/);
    await refuse(await makeTar([{ name: '/abs', data: 'x' }]), /absolute path/);
    await refuse(await makeTar([{ name: 'x', data: 'x' }]), /no manifest.json or index.json/);
    await refuse(Buffer.from('this is not a tar archive at all, not even close.'.repeat(20)), /tar|archive/);
    // OCI: missing blob, digest mismatch in a manifest.
    const o = await ociArchive();
    await refuse(await makeTar(o.members.filter((m) => m.name !== `blobs/sha256/${hex(sha256Digest(o.z))}`)), /missing blob/);
    await refuse(await makeTar(o.members.filter((m) => m.name !== 'oci-layout')), /missing oci-layout/);
  }));

test('save writes a docker-archive that is also an OCI layout, and loads back', () =>
  withTempDir(async (dir) => {
    const src = await service(join(dir, 'a'));
    const a = await dockerArchive(['busybox:latest', 'busybox:1']);
    await load(src.svc, a.archive);
    await assert.rejects(src.svc.save(['nothing:1']), /^NotFoundError: reference does not exist$/);
    await assert.rejects(src.svc.save(['nothing']), /No such image: nothing$/);
    await assert.rejects(src.svc.save(['deadbeef']), /No such image: deadbeef/);

    const archive = await collect(await src.svc.save(['busybox']));
    assert.deepEqual(src.events, ['load', 'save']);
    const file = join(dir, 'save.tar');
    await writeFile(file, archive);
    const { stdout } = await execFileP('tar', ['-tf', file]);
    const names = stdout.trim().split('\n');
    const gzHex = hex(sha256Digest(a.gz));
    assert.deepEqual(names.slice(-4), ['index.json', 'manifest.json', 'oci-layout', 'repositories']);
    assert.ok(names.includes(`blobs/sha256/${gzHex}`), 'the gzip layer blob as received');
    assert.ok(names.includes(`blobs/sha256/${hex(a.id)}`));
    const { stdout: mj } = await execFileP('tar', ['-xOf', file, 'manifest.json']);
    assert.deepEqual(JSON.parse(mj), [
      { Config: `blobs/sha256/${hex(a.id)}`, RepoTags: ['busybox:1', 'busybox:latest'], Layers: [`blobs/sha256/${hex(a.l1.diffId)}`, `blobs/sha256/${gzHex}`] },
    ]);
    const index = JSON.parse((await execFileP('tar', ['-xOf', file, 'index.json'])).stdout);
    assert.deepEqual(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['io.containerd.image.name']), ['docker.io/library/busybox:1', 'docker.io/library/busybox:latest']);
    const manifest = JSON.parse((await execFileP('tar', ['-xOf', file, `blobs/sha256/${hex(index.manifests[0].digest)}`])).stdout);
    assert.deepEqual(manifest.layers.map((l: { mediaType: string }) => l.mediaType), [MEDIA_TYPE.ociLayer, MEDIA_TYPE.ociLayerGzip]);
    const repos = JSON.parse((await execFileP('tar', ['-xOf', file, 'repositories'])).stdout);
    assert.deepEqual(repos, { busybox: { '1': gzHex, latest: gzHex } });

    // Into a fresh store: same image ID and tags, via manifest.json.
    const dst = await service(join(dir, 'b'));
    const r = await load(dst.svc, archive);
    assert.deepEqual(r.ids, [a.id]);
    assert.deepEqual(dst.svc.references(a.id).repoTags, ['busybox:1', 'busybox:latest']);
    // And as a pure OCI layout (manifest.json dropped).
    const dst2 = await service(join(dir, 'c'));
    const ociOnly = join(dir, 'oci.tar');
    await execFileP('cp', [file, ociOnly]);
    await execFileP('tar', ['--delete', '-f', ociOnly, 'manifest.json']);
    const r2 = await load(dst2.svc, await readFile(ociOnly));
    assert.deepEqual(r2.ids, [a.id]);
    assert.deepEqual(dst2.svc.references(a.id).repoTags, ['busybox:1', 'busybox:latest']);

    // Saving by ID: untagged in manifest.json, no repositories file.
    const byId = join(dir, 'byid.tar');
    await writeFile(byId, await collect(await src.svc.save([hex(a.id).slice(0, 12)])));
    assert.deepEqual(JSON.parse((await execFileP('tar', ['-xOf', byId, 'manifest.json'])).stdout)[0].RepoTags, null);
    assert.ok(!(await execFileP('tar', ['-tf', byId])).stdout.includes('repositories'));
  }));

test('save exports a layer whose blob is unknown from the layer store', () =>
  withTempDir(async (dir) => {
    const { svc, layers } = await service(dir);
    const l = await layerWith('f', 'data');
    await layers.register(chunks(l.tar), null);
    const img = await svc.createImage(imageConfig([l.diffId]), { tags: ['built:1'] });
    const archive = await collect(await svc.save(['built:1']));
    const dst = await service(join(dir, 'dst'));
    assert.deepEqual((await load(dst.svc, archive)).ids, [img.id]);
  }));

test('import: one layer, config from changes, history comment', () =>
  withTempDir(async (dir) => {
    const { svc, layers, events } = await service(dir);
    const tar = await makeTar([{ name: 'hello', data: 'world' }]);
    const id = await svc.import(chunks(gzip(tar)), { changes: ['CMD ["/hello"]', 'ENV A=1', 'EXPOSE 80'], repo: 'imported', tag: 'v1' });
    const img = svc.get('imported:v1');
    assert.equal(img.id, id);
    assert.deepEqual(img.config.rootfs.diff_ids, [sha256Digest(tar)]);
    assert.deepEqual(img.config.config, { Cmd: ['/hello'], Env: ['A=1'], ExposedPorts: { '80/tcp': {} } });
    assert.equal(img.config.os, 'linux');
    assert.equal(img.config.architecture, 'amd64');
    assert.equal(img.config.comment, 'Imported from -');
    assert.equal(img.config.history?.[0].comment, 'Imported from -');
    assert.equal(img.config.history?.[0].created, img.config.created);
    assert.equal(layers.layers.size, 1);
    assert.deepEqual(events, ['tag', 'import']);
    const inspect = await svc.inspect(id);
    assert.equal(inspect.image.config.comment, 'Imported from -');
    await assert.rejects(svc.import(chunks(tar), { changes: ['RUN x'] }), /run is not a valid change command/);
    await assert.rejects(svc.import(chunks(tar), { platform: 'windows' }), /operating system is not supported/);
    // Blob kept as received (gzip).
    assert.equal(await svc.content.has(sha256Digest(gzip(tar))), true);
  }));
