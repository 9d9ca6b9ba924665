import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfigMediaType, checkSupportedMediaType, matchingManifests, noMatchError, schema1Error } from './manifest.ts';
import { normalizePlatform, platformRank } from './platform.ts';
import { MANIFEST_MEDIA, formatPlatform, hostPlatform, parseManifest, parsePlatform, type ManifestIndex, type Platform } from './index.ts';

const D = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

test('platforms: containerd\'s normalisation and parsing, Docker\'s format', () => {
  assert.deepEqual(normalizePlatform({ os: 'Linux', architecture: 'x86_64' }), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'aarch64', variant: 'v8' }), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'armhf' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm', variant: '6' }), { os: 'linux', architecture: 'arm', variant: 'v6' });
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('arm64'), { os: 'linux', architecture: 'arm64' });
  assert.equal(parsePlatform('linux').os, 'linux');
  assert.throws(() => parsePlatform('linux/amd64/v3/x'), { message: '"linux/amd64/v3/x": cannot parse platform specifier: invalid argument' });
  assert.throws(() => parsePlatform('plan10'), /unknown operating system or architecture/);
  assert.throws(() => parsePlatform('linux/a b'), /invalid path component/);
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'linux/arm/v7');
  assert.equal(hostPlatform().os, 'linux');
});

test('platform matching: same OS and architecture, compatible variants ranked best first', () => {
  const want: Platform = { os: 'linux', architecture: 'arm', variant: 'v7' };
  assert.equal(platformRank(want, { os: 'linux', architecture: 'arm', variant: 'v7' }), 0);
  assert.ok(platformRank(want, { os: 'linux', architecture: 'arm', variant: 'v6' }) > 0);
  assert.equal(platformRank(want, { os: 'linux', architecture: 'arm', variant: 'v8' }), -1);
  assert.equal(platformRank({ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64', variant: 'v3' }), -1);
  assert.equal(platformRank({ os: 'linux', architecture: 'amd64', variant: 'v3' }, { os: 'linux', architecture: 'amd64' }), 2);
  assert.equal(platformRank({ os: 'linux', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64' }), -1);
  const index: ManifestIndex = {
    kind: 'index',
    mediaType: MANIFEST_MEDIA.ociIndex,
    manifests: [
      { mediaType: MANIFEST_MEDIA.ociManifest, digest: D(1), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
      { mediaType: MANIFEST_MEDIA.ociManifest, digest: D(2), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { mediaType: MANIFEST_MEDIA.ociManifest, digest: D(3), size: 1 },
      { mediaType: MANIFEST_MEDIA.ociManifest, digest: D(4), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  };
  assert.deepEqual(matchingManifests(index, want).map((d) => d.digest), [D(2), D(1), D(3)]);
  assert.deepEqual(matchingManifests(index, { os: 'linux', architecture: 'amd64' }).map((d) => d.digest), [D(4), D(3)]);
  assert.equal(noMatchError({ os: 'linux', architecture: 's390x' }).message, 'no matching manifest for linux/s390x in the manifest list entries');
});

test('manifests: media type from the body or Content-Type or the fields; schema1 and bad descriptors refused', () => {
  const m = { schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D(1), size: 10 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D(2), size: 5 }] };
  const oci = parseManifest(Buffer.from(JSON.stringify(m)), undefined);
  assert.equal(oci.kind, 'manifest');
  assert.equal(oci.mediaType, MANIFEST_MEDIA.ociManifest);
  assert.equal(parseManifest(Buffer.from(JSON.stringify(m)), `${MANIFEST_MEDIA.dockerManifest}; charset=utf-8`).mediaType, MANIFEST_MEDIA.dockerManifest);
  const idx = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ digest: D(3), size: 2, platform: { os: 'linux', architecture: 'amd64' } }] })), 'application/json');
  assert.equal(idx.kind, 'index');
  assert.equal(idx.mediaType, MANIFEST_MEDIA.ociIndex);
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1,"fsLayers":[]}'), 'application/json', 'r.example/x:1'), { message: schema1Error('r.example/x:1').message });
  assert.match(schema1Error('a:1').message, /^Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed\. Suggest the author of a:1 /);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ ...m, mediaType: MANIFEST_MEDIA.dockerList })), undefined), /should not have "config", "layers", or "fsLayers"/);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ ...m, layers: [{ digest: 'md5:abc', size: 1 }] })), undefined), /unsupported digest/);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ ...m, layers: [{ digest: D(2), size: -1 }] })), undefined), /invalid size/);
  assert.throws(() => parseManifest(Buffer.from('[]'), undefined), /error unmarshalling manifest/);
  assert.throws(() => parseManifest(Buffer.from('{"mediaType":"text/plain"}'), undefined), /unsupported manifest media type and no default available: text\/plain/);
});

test('supported media types as moby checks them', () => {
  checkSupportedMediaType('application/vnd.docker.image.rootfs.diff.tar.gzip');
  checkSupportedMediaType('application/vnd.oci.image.layer.v1.tar+zstd');
  checkSupportedMediaType('');
  assert.throws(() => checkSupportedMediaType('application/vnd.oci.images_are_fun'), { message: 'unsupported media type application/vnd.oci.images_are_fun' });
  checkConfigMediaType('application/vnd.oci.image.config.v1+json');
  assert.throws(() => checkConfigMediaType('application/vnd.docker.ai.model.config.v0.1+json'), /AI models are not yet supported/);
  assert.throws(() => checkConfigMediaType('application/vnd.cncf.helm.config.v1+json'), /Encountered remote "application\/vnd.cncf.helm.config.v1\+json"/);
});
