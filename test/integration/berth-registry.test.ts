// berthd ↔ berth-registry end to end: two berthds (the second with its own data root pulls what
// the first pushed), three berth-registry processes (bin/berth-registry; `sh scripts/build.sh`
// first): one on loopback with its built-in token service and an access policy, one over plain
// HTTP without auth and one over TLS (a CA made here by openssl), both on non-loopback local
// addresses (the daemons' bridge addresses). Driven through the real docker CLI (its own
// DOCKER_CONFIG) and bin/berth (its own BERTH_CONFIG), and by raw HTTP with tokens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { BERTH_REGISTRY, startBerthRegistry, type RunningRegistry } from './registry.test-helpers.ts';
import { startCutProxy } from './distribution.test-helpers.ts';
import { LAYERED_TAR, run, startDaemon, startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';
import { imageConfig, manifestSize, pushImage, pushIndex, randomLayer, singleFileTar, uploadBlob, type RegistryTarget } from '../../bench/registry-image.ts';

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// alice administers everything (and may list the catalog); bob may pull team/**; carol owns
// carol/**; anonymous may pull public/**.
const USERS = { alice: 'alice-pw-1', bob: 'bob-pw-2', carol: 'carol-pw-3' } as const;
const ACCESS = `  access:
    rules:
      - account: alice
        repositories: ["**"]
        role: admin
        catalog: true
      - account: bob
        repositories: ["team/**"]
        role: reader
      - account: carol
        repositories: ["{account}/**"]
        role: writer
      - account: anonymous
        repositories: ["public/**"]
        role: reader
`;

let tmp: string;
let d1: Daemon;
let d2: Daemon;
let certs1: string;
let certs2: string;
/** Token auth and the access policy, on loopback. */
let treg: RunningRegistry;
let tconfig: string;
let troot: string;
/** Plain HTTP, no auth, on d1's bridge address. */
let preg: RunningRegistry;
/** TLS, no auth, on d2's bridge address. */
let sreg: RunningRegistry;
let pki: string;
let H: string;
const cleanups: (() => Promise<unknown>)[] = [];

const ipOf = (d: Daemon) => d.bip.split('/')[0]!;
const re = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));

async function ssl(args: string[]): Promise<void> {
  const r = await run('openssl', args, { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
}

before(async () => {
  tmp = await mkdtemp('/tmp/bt-breg-');
  certs1 = join(tmp, 'certs1');
  certs2 = join(tmp, 'certs2');
  await mkdir(certs1);
  await mkdir(certs2);
  d1 = await startDaemonWithBusybox(['--registry-certs-dir', certs1]);
  // d2 treats d1's bridge address as insecure (a CIDR, given before the registry's port is known).
  d2 = await startDaemon(['--registry-certs-dir', certs2, '--max-download-attempts', '2', '--insecure-registry', `${ipOf(d1)}/32`]);
  const lines: string[] = [];
  for (const [u, p] of Object.entries(USERS)) {
    const h = await run(BERTH_REGISTRY, ['htpasswd', '-B', '-C', '4', u, p]);
    assert.equal(h.code, 0, h.stderr);
    lines.push(h.stdout.trim());
  }
  await writeFile(join(tmp, 'htpasswd'), `${lines.join('\n')}\n`);
  // Tokens last 4 s: a pull retried after "Retrying in 5 seconds" (the cut proxy below) must
  // fetch a new one when the registry answers invalid_token.
  troot = join(tmp, 'token-root');
  tconfig = join(tmp, 'token.yml');
  await writeFile(tconfig, `version: 0.1
log: {accesslog: {disabled: true}}
http: {addr: "127.0.0.1:0"}
storage:
  filesystem: {rootdirectory: ${troot}}
  delete: {enabled: true}
auth:
  htpasswd: {path: ${join(tmp, 'htpasswd')}}
  token: {service: berth-registry, expiration: 4s}
${ACCESS}`);
  treg = await startBerthRegistry(['--config', tconfig]);
  H = treg.host;
  await writeFile(join(tmp, 'plain.yml'), `version: 0.1
log: {accesslog: {disabled: true}}
http: {addr: "${ipOf(d1)}:0"}
storage: {filesystem: {rootdirectory: ${join(tmp, 'plain-root')}}}
`);
  preg = await startBerthRegistry(['--config', join(tmp, 'plain.yml')]);
  pki = join(tmp, 'pki');
  await mkdir(pki);
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth e2e CA', '-keyout', join(pki, 'ca.key'), '-out', join(pki, 'ca.crt')]);
  await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=registry', '-keyout', join(pki, 'server.key'), '-out', join(pki, 'server.csr')]);
  await writeFile(join(pki, 'server.ext'), `subjectAltName=IP:${ipOf(d2)}\n`);
  await ssl(['x509', '-req', '-in', join(pki, 'server.csr'), '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'), '-CAcreateserial', '-days', '2', '-extfile', join(pki, 'server.ext'), '-out', join(pki, 'server.crt')]);
  await writeFile(join(tmp, 'tls.yml'), `version: 0.1
log: {accesslog: {disabled: true}}
http:
  addr: "${ipOf(d2)}:0"
  tls: {certificate: ${join(pki, 'server.crt')}, key: ${join(pki, 'server.key')}}
storage: {filesystem: {rootdirectory: ${join(tmp, 'tls-root')}}}
`);
  sreg = await startBerthRegistry(['--config', join(tmp, 'tls.yml')]);
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await treg?.stop();
  await preg?.stop();
  await sreg?.stop();
  await d1?.cleanup();
  await d2?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh DOCKER_CONFIG / BERTH_CONFIG directory. */
async function configDir(name: string): Promise<Record<string, string>> {
  const dir = join(tmp, 'cfg', name);
  await mkdir(dir, { recursive: true });
  return { DOCKER_CONFIG: dir, BERTH_CONFIG: dir };
}

/** A token from berth-registry's token service (what the policy grants of `scopes`). */
async function token(user: keyof typeof USERS | undefined, scopes: string[]): Promise<string> {
  const q = new URLSearchParams({ service: 'berth-registry' });
  for (const s of scopes) q.append('scope', s);
  const headers: Record<string, string> = user ? { Authorization: `Basic ${Buffer.from(`${user}:${USERS[user]}`).toString('base64')}` } : {};
  const r = await fetch(`${treg.url}/auth/token?${q}`, { headers });
  assert.equal(r.status, 200, await r.clone().text());
  return ((await r.json()) as { token: string }).token;
}

async function target(user: keyof typeof USERS, repo: string, actions = 'pull,push'): Promise<RegistryTarget> {
  return { addr: H, headers: { Authorization: `Bearer ${await token(user, [`repository:${repo}:${actions}`])}` } };
}

const xAuth = (user: keyof typeof USERS, server = H) => ({
  'X-Registry-Auth': Buffer.from(JSON.stringify({ username: user, password: USERS[user], serveraddress: server })).toString('base64url'),
});

type Msg = { status?: string; id?: string; error?: string };
async function apiPull(d: Daemon, ref: string, headers: Record<string, string> = {}): Promise<{ status: number; msgs: Msg[]; text: string; json: any }> {
  const r = await d.api('POST', `/images/create?fromImage=${encodeURIComponent(ref)}`, undefined, headers);
  const msgs = r.status === 200 ? r.text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Msg) : [];
  return { status: r.status, msgs, text: r.text, json: r.json };
}

const contentBlob = (d: Daemon, digest: string) => join(d.dataRoot, 'content', 'blobs', 'sha256', digest.slice(7));
const layerDb = (d: Daemon, chainId: string) => join(d.dataRoot, 'image', 'layerdb', 'sha256', chainId.slice(7));
const ingestLeft = (d: Daemon) => readdir(join(d.dataRoot, 'content', 'ingest')).catch(() => [] as string[]);
const registryBlob = (root: string, digest: string) => join(root, 'docker/registry/v2/blobs/sha256', digest.slice(7, 9), digest.slice(7), 'data');

async function login(d: Daemon, cli: 'docker' | 'berth', user: keyof typeof USERS, env: Record<string, string>): Promise<void> {
  const r = await d[cli](['login', '-u', user, '--password-stdin', H], { input: USERS[user], env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Login Succeeded/);
}

let appDigest = '';

test('login (wrong and right password), push with progress, push again, mount only when the source may be pulled, pull on a second berthd, run, pull by digest, logout', async () => {
  const alice = await configDir('alice');
  for (const cli of ['docker', 'berth'] as const) {
    const wrong = await d1[cli](['login', '-u', 'alice', '--password-stdin', H], { input: 'not-it', env: alice });
    assert.equal(wrong.code, 1, `${cli}: ${wrong.stdout}`);
    assert.match(wrong.stderr, re(`Error response from daemon: Get "http://${H}/v2/": unauthorized: `), cli);
    assert.equal(existsSync(join(alice.DOCKER_CONFIG!, 'config.json')), false, `${cli} stored nothing`);
  }
  const wrongDocker = await d1.docker(['login', '-u', 'alice', '--password-stdin', H], { input: 'not-it', env: alice });
  const wrongBerth = await d1.berth(['login', '-u', 'alice', '--password-stdin', H], { input: 'not-it', env: alice });
  assert.equal(wrongBerth.stderr, wrongDocker.stderr.replace(/docker/g, 'berth'));
  await login(d1, 'docker', 'alice', alice);

  assert.equal((await d1.docker(['tag', 'busybox', `${H}/team/app:v1`])).code, 0);
  const push = await d1.docker(['push', `${H}/team/app:v1`], { env: alice });
  assert.equal(push.code, 0, push.stderr + push.stdout);
  assert.match(push.stdout, re(`The push refers to repository [${H}/team/app]`));
  assert.match(push.stdout, /[0-9a-f]{12}: Pushed/);
  const m = /v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(push.stdout);
  assert.ok(m, push.stdout);
  appDigest = m[1]!;
  const served = await fetch(`${treg.url}/v2/team/app/manifests/v1`, {
    method: 'HEAD',
    headers: { Authorization: `Bearer ${await token('alice', ['repository:team/app:pull'])}`, Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  assert.equal(served.headers.get('docker-content-digest'), appDigest);
  assert.equal(served.headers.get('content-length'), m[2]);

  const again = await d1.docker(['push', `${H}/team/app:v1`], { env: alice });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Layer already exists/);
  assert.doesNotMatch(again.stdout, /Pushed/);
  assert.match(again.stdout, re(`v1: digest: ${appDigest} size: ${m[2]}`));

  assert.equal((await d1.docker(['tag', 'busybox', `${H}/team/mounted:v1`])).code, 0);
  const mounted = await d1.docker(['push', `${H}/team/mounted:v1`], { env: alice });
  assert.equal(mounted.code, 0, mounted.stderr);
  assert.match(mounted.stdout, /Mounted from team\/app/);
  // carol may not pull team/app: the registry refuses the mount, the layer is sent instead.
  const carol = await configDir('carol');
  await login(d1, 'berth', 'carol', carol);
  assert.equal((await d1.docker(['tag', 'busybox', `${H}/carol/base:v1`])).code, 0);
  const own = await d1.berth(['push', `${H}/carol/base:v1`], { env: carol });
  assert.equal(own.code, 0, own.stderr);
  assert.doesNotMatch(own.stdout, /Mounted from/);
  assert.match(own.stdout, /Pushed/);
  assert.match(own.stdout, re(`v1: digest: ${appDigest} size: ${m[2]}`));

  // The second berthd (its own data root) pulls and runs it.
  const pull = await d2.docker(['pull', `${H}/team/app:v1`], { env: alice });
  assert.equal(pull.code, 0, pull.stderr + pull.stdout);
  assert.match(pull.stdout, /Pull complete/);
  assert.match(pull.stdout, re(`Digest: ${appDigest}`));
  assert.match(pull.stdout, re(`Status: Downloaded newer image for ${H}/team/app:v1`));
  const ran = await d2.docker(['run', '--rm', `${H}/team/app:v1`, 'echo', 'pulled'], { env: alice });
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, 'pulled\n');
  const id1 = (await d1.docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox'])).stdout;
  assert.equal((await d2.docker(['image', 'inspect', '--format', '{{.Id}}', `${H}/team/app:v1`])).stdout, id1);

  // bob (pull-only on team/**) pulls by digest with berth, but may not push.
  const bob = await configDir('bob');
  await login(d2, 'berth', 'bob', bob);
  const byDigest = await d2.berth(['pull', `${H}/team/mounted@${appDigest}`], { env: bob });
  assert.equal(byDigest.code, 0, byDigest.stderr + byDigest.stdout);
  assert.match(byDigest.stdout, re(`Status: Downloaded newer image for ${H}/team/mounted@${appDigest}`));
  const digests = await d2.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${H}/team/mounted@${appDigest}`]);
  assert.match(digests.stdout, re(`${H}/team/mounted@${appDigest}`));
  await login(d2, 'docker', 'bob', bob);
  assert.equal((await d2.docker(['tag', `${H}/team/app:v1`, `${H}/team/bob:v1`])).code, 0);
  for (const cli of ['docker', 'berth'] as const) {
    const denied = await d2[cli](['push', `${H}/team/bob:v1`], { env: bob });
    assert.equal(denied.code, 1, `${cli}: ${denied.stdout}`);
    assert.equal(denied.stderr, 'denied: requested access to the resource is denied\n', cli);
  }
  assert.equal((await fetch(`${treg.url}/v2/team/bob/tags/list`, { headers: { Authorization: `Bearer ${await token('alice', ['repository:team/bob:pull'])}` } })).status, 404);

  for (const [cli, env] of [['docker', alice], ['berth', bob]] as const) {
    const out = await (cli === 'docker' ? d1 : d2)[cli](['logout', H], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `Removing login credentials for ${H}\n`);
    assert.deepEqual(JSON.parse(await readFile(join(env.DOCKER_CONFIG!, 'config.json'), 'utf8')).auths, {});
  }
  const gone = await d1.docker(['push', `${H}/team/app:v1`], { env: alice });
  assert.equal(gone.code, 1);
  await login(d1, 'docker', 'alice', alice);
  await login(d2, 'docker', 'alice', alice);
});

test('a pull reuses the base layer the second berthd already has ("Already exists")', async () => {
  const alice = await configDir('alice');
  const load = await d1.docker(['load', '-i', LAYERED_TAR]);
  assert.equal(load.code, 0, load.stderr);
  assert.equal((await d1.docker(['tag', 'busybox:layered', `${H}/team/layered:v1`])).code, 0);
  const push = await d1.docker(['push', `${H}/team/layered:v1`], { env: alice });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Layer already exists|Mounted from/, 'the busybox layer is in the registry already');
  const pull = await d2.docker(['pull', `${H}/team/layered:v1`], { env: alice });
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal(pull.stdout.match(/: Already exists/g)?.length, 1, pull.stdout);
  assert.equal(pull.stdout.match(/: Pull complete/g)?.length, 2, pull.stdout);
  const ran = await d2.docker(['run', '--rm', `${H}/team/layered:v1`, 'sh', '-c', 'ls /opt/app; test ! -e /etc/motd && echo whited-out']);
  assert.equal(ran.stdout, 'new.txt\nwhited-out\n', ran.stderr);
});

test('a multi-arch index pushed by raw HTTP: pull --platform picks the image; a platform not in it is Docker\'s error', async () => {
  const alice = await configDir('alice');
  const t = await target('alice', 'team/multi');
  const amd = await pushImage(t, 'team/multi', 'amd64', [randomLayer(2048, 'amd.bin')], { architecture: 'amd64' });
  const arm = await pushImage(t, 'team/multi', 'arm64', [randomLayer(2048, 'arm.bin')], { architecture: 'arm64', variant: 'v8' });
  const index = await pushIndex(t, 'team/multi', 'v1', [
    { digest: amd.manifestDigest, size: await manifestSize(t, 'team/multi', 'amd64'), platform: { os: 'linux', architecture: 'amd64' } },
    { digest: arm.manifestDigest, size: await manifestSize(t, 'team/multi', 'arm64'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  const pull = await d2.docker(['pull', '--platform', 'linux/arm64', `${H}/team/multi:v1`], { env: alice });
  assert.equal(pull.code, 0, pull.stderr + pull.stdout);
  assert.match(pull.stdout, re(`Digest: ${index}`));
  const inspect = await d2.docker(['image', 'inspect', '--format', '{{.Id}} {{.Architecture}} {{.Variant}}', `${H}/team/multi:v1`]);
  assert.equal(inspect.stdout.trim(), `${arm.configDigest} arm64 v8`);
  assert.equal(existsSync(layerDb(d2, amd.layers[0]!.diffId)), false, 'the other platform is not fetched');
  const none = await d2.berth(['pull', '--platform', 'linux/s390x', `${H}/team/multi:v1`], { env: alice });
  const noneDocker = await d2.docker(['pull', '--platform', 'linux/s390x', `${H}/team/multi:v1`], { env: alice });
  assert.equal(noneDocker.code, 1);
  // The error comes after "Pulling from" in the stream, so without "Error response from daemon" (as moby).
  assert.match(noneDocker.stdout, /v1: Pulling from team\/multi/);
  assert.equal(noneDocker.stderr, 'no matching manifest for linux/s390x in the manifest list entries\n');
  assert.equal(none.code, 1);
  assert.equal(none.stderr, noneDocker.stderr);
  // GET /distribution/{name}/json through the token service: the index and its platforms.
  const dist = await d2.api('GET', `/distribution/${H}/team/multi:v1/json`, undefined, xAuth('alice'));
  assert.equal(dist.status, 200, dist.text);
  assert.equal(dist.json.Descriptor.digest, index);
  assert.equal(dist.json.Descriptor.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(dist.json.Platforms.map((p: { architecture: string; variant?: string }) => `${p.architecture}${p.variant ? `/${p.variant}` : ''}`).sort(), ['amd64', 'arm64/v8']);
  // Anonymous: the registry's own error and its code's status (dockerd: no pull translation here).
  const distAnon = await d2.api('GET', `/distribution/${H}/team/multi:v1/json`);
  assert.equal(distAnon.status, 403, distAnon.text);
  assert.equal(distAnon.json.message, 'denied: requested access to the resource is denied');
  const distMissing = await d2.api('GET', `/distribution/${H}/team/multi:nope/json`, undefined, xAuth('alice'));
  assert.equal(distMissing.status, 404, distMissing.text);
  assert.equal(distMissing.json.message, 'manifest unknown: manifest unknown');
  // Without --platform: the host's (amd64) entry.
  const host = await d2.docker(['pull', `${H}/team/multi:v1`], { env: alice });
  assert.equal(host.code, 0, host.stderr);
  assert.equal((await d2.docker(['image', 'inspect', '--format', '{{.Id}}', `${H}/team/multi:v1`])).stdout.trim(), amd.configDigest);
});

test('token scopes: no blob of repository A through repository B without access to A; anonymous pull only where the policy allows', async () => {
  const secretLayer = randomLayer(4096, 'secret.bin');
  const secret = await pushImage(await target('alice', 'team/secret'), 'team/secret', 'v1', [secretLayer]);
  const S = secret.layers[0]!.digest;
  // carol asks for team/secret too: the token grants only her own repository.
  const carolToken = await token('carol', ['repository:carol/b:pull,push', 'repository:team/secret:pull']);
  const auth = { Authorization: `Bearer ${carolToken}` };
  const direct = await fetch(`${treg.url}/v2/team/secret/blobs/${S}`, { headers: auth });
  assert.ok(direct.status === 401 || direct.status === 403, String(direct.status));
  assert.equal((await fetch(`${treg.url}/v2/carol/b/blobs/${S}`, { headers: auth })).status, 404);
  const mount = await fetch(`${treg.url}/v2/carol/b/blobs/uploads/?mount=${S}&from=team/secret`, { method: 'POST', headers: auth });
  assert.equal(mount.status, 202, 'a plain upload session, not a mount');
  await fetch(new URL(mount.headers.get('location')!, treg.url), { method: 'DELETE', headers: auth });
  assert.equal((await fetch(`${treg.url}/v2/carol/b/blobs/${S}`, { method: 'HEAD', headers: auth })).status, 404);
  // A manifest in carol/b naming team/secret's layer: refused on PUT ...
  const config = imageConfig([secret.layers[0]!.diffId]);
  const carolTarget: RegistryTarget = { addr: H, headers: auth };
  const configDigest = await uploadBlob(carolTarget, 'carol/b', config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: Buffer.byteLength(config), digest: configDigest },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: secretLayer.gz.length, digest: S }],
  });
  const put = await fetch(`${treg.url}/v2/carol/b/manifests/evil`, { method: 'PUT', body: manifest, headers: { ...auth, 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(put.status, 400);
  assert.match(await put.text(), /MANIFEST_BLOB_UNKNOWN/);
  // ... and when it is planted in the storage anyway, berthd's pull of it fails and stores nothing.
  const md = sha256(manifest);
  const repo = join(troot, 'docker/registry/v2/repositories/carol/b/_manifests');
  const plant = async (path: string, data: string) => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, data);
  };
  await plant(registryBlob(troot, md), manifest);
  await plant(join(repo, 'revisions/sha256', md.slice(7), 'link'), md);
  await plant(join(repo, 'tags/evil/current/link'), md);
  await plant(join(repo, 'tags/evil/index/sha256', md.slice(7), 'link'), md);
  const images = (await d2.api('GET', '/images/json')).json.length;
  const evil = await apiPull(d2, `${H}/carol/b:evil`, xAuth('carol'));
  assert.equal(evil.status, 200, evil.text);
  assert.ok(evil.msgs.at(-1)?.error, evil.text);
  assert.equal((await d2.api('GET', `/images/${H}/carol/b:evil/json`)).status, 404);
  assert.equal((await d2.api('GET', '/images/json')).json.length, images);
  for (const b of [S, configDigest, md]) assert.equal(existsSync(contentBlob(d2, b)), false, `${b} not in the content store`);
  assert.equal(existsSync(layerDb(d2, secret.layers[0]!.diffId)), false);
  assert.deepEqual(await ingestLeft(d2), []);

  // Anonymous: team/** refused, public/** allowed.
  const anon = await configDir('anonymous');
  for (const cli of ['docker', 'berth'] as const) {
    const r = await d2[cli](['pull', `${H}/team/app:v1`], { env: anon });
    assert.equal(r.code, 1, `${cli}: ${r.stdout}`);
    assert.match(r.stderr, re(`Error response from daemon: pull access denied for ${H}/team/app, repository does not exist or may require 'docker login'`), `${cli}: ${r.stderr}`);
  }
  assert.equal((await d1.docker(['tag', 'busybox', `${H}/public/busybox:v1`])).code, 0);
  assert.equal((await d1.docker(['push', `${H}/public/busybox:v1`], { env: await configDir('alice') })).code, 0);
  const pub = await d2.docker(['pull', `${H}/public/busybox:v1`], { env: anon });
  assert.equal(pub.code, 0, pub.stderr);
  const anonPush = await d2.docker(['push', `${H}/public/busybox:v1`], { env: anon });
  assert.equal(anonPush.code, 1);
});

test('pull --all-tags and push --all-tags through the token service (tags list needs pull)', async () => {
  const alice = await configDir('alice');
  for (const t of ['a', 'b']) assert.equal((await d1.docker(['tag', 'busybox', `${H}/team/tags:${t}`])).code, 0);
  const push = await d1.docker(['push', '--all-tags', `${H}/team/tags`], { env: alice });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /a: digest: sha256:[0-9a-f]{64} size: \d+/);
  assert.match(push.stdout, /b: digest: sha256:[0-9a-f]{64} size: \d+/);
  const pull = await d2.docker(['pull', '--all-tags', `${H}/team/tags`], { env: alice });
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /a: Pulling from team\/tags/);
  assert.match(pull.stdout, /b: Pulling from team\/tags/);
  assert.match(pull.stdout, re(`Status: Downloaded newer image for ${H}/team/tags`));
  const tags = await d2.docker(['image', 'ls', '--format', '{{.Tag}}', `${H}/team/tags`]);
  assert.deepEqual(tags.stdout.trim().split('\n').sort(), ['a', 'b']);
});

test('TLS on a non-loopback address: refused without the CA, push and pull with ca.crt in the daemons\' certs dirs', async () => {
  const h = sreg.host;
  const env = await configDir('tls');
  assert.equal((await d1.docker(['tag', 'busybox', `${h}/tls/busybox:v1`])).code, 0);
  const refused = await d1.docker(['push', `${h}/tls/busybox:v1`], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /x509: certificate signed by unknown authority/);
  await mkdir(join(certs1, h));
  await writeFile(join(certs1, h, 'ca.crt'), await readFile(join(pki, 'ca.crt')));
  const push = await d1.docker(['push', `${h}/tls/busybox:v1`], { env });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Pushed/);
  const noCa = await d2.berth(['pull', `${h}/tls/busybox:v1`], { env });
  assert.equal(noCa.code, 1);
  assert.match(noCa.stderr, /x509: certificate signed by unknown authority/);
  await mkdir(join(certs2, h));
  await writeFile(join(certs2, h, 'ca.crt'), await readFile(join(pki, 'ca.crt')));
  const pull = await d2.berth(['pull', `${h}/tls/busybox:v1`], { env });
  assert.equal(pull.code, 0, pull.stderr);
  const ran = await d2.docker(['run', '--rm', `${h}/tls/busybox:v1`, 'echo', 'tls']);
  assert.equal(ran.stdout, 'tls\n', ran.stderr);
});

test('an insecure registry over plain HTTP on a non-loopback address: refused, then pushed with insecure-registries (daemon.json), pulled with --insecure-registry', async () => {
  const h = preg.host;
  const env = await configDir('plain');
  assert.equal((await d1.docker(['tag', 'busybox', `${h}/plain/busybox:v1`])).code, 0);
  const refused = await d1.docker(['push', `${h}/plain/busybox:v1`], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /http: server gave HTTP response to HTTPS client/);
  const cfgFile = join(d1.dir, 'daemon.json');
  const cfg = JSON.parse(await readFile(cfgFile, 'utf8'));
  await writeFile(cfgFile, JSON.stringify({ ...cfg, 'insecure-registries': [h] }));
  cleanups.push(() => writeFile(cfgFile, JSON.stringify(cfg)));
  process.kill(d1.pid!, 'SIGHUP');
  await waitFor(async () => (await d1.api('GET', '/info')).json.RegistryConfig.IndexConfigs[h]?.Secure === false, 'the reloaded insecure-registries');
  const push = await d1.docker(['push', `${h}/plain/busybox:v1`], { env });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /v1: digest: sha256:[0-9a-f]{64} size: \d+/);
  const pull = await d2.docker(['pull', `${h}/plain/busybox:v1`], { env });
  assert.equal(pull.code, 0, pull.stderr);
  await writeFile(cfgFile, JSON.stringify(cfg));
  process.kill(d1.pid!, 'SIGHUP');
  await waitFor(async () => (await d1.api('GET', '/info')).json.RegistryConfig.IndexConfigs[h] === undefined, 'the settings back');
});

test('an interrupted pull (connection cut mid-layer) fails with nothing partial; a clean retry pulls', async () => {
  const proxy = await startCutProxy({ addr: H });
  cleanups.push(() => proxy.stop());
  // Layers made before the token is fetched: it lasts 4 s.
  const layers = [randomLayer(3 * 1024 * 1024, 'big.bin'), randomLayer(2048, 'small.bin')];
  const img = await pushImage(await target('alice', 'team/cut'), 'team/cut', '1', layers);
  const name = `${proxy.addr}/team/cut:1`;
  // Cut once: the next attempt continues where the first stopped (berth-registry serves the Range).
  const onceLayer = randomLayer(2 * 1024 * 1024, 'once.bin');
  const once = await pushImage(await target('alice', 'team/cut'), 'team/cut', '0', [onceLayer]);
  proxy.cut = { digest: once.layers[0]!.digest, after: 500_000, times: 1 };
  const resumed = await apiPull(d2, `${proxy.addr}/team/cut:0`, xAuth('alice', proxy.addr));
  assert.match(resumed.msgs.at(-1)?.status ?? '', /Downloaded newer image/, resumed.text);
  assert.ok(proxy.ranges.some((r) => /^bytes=[1-9]\d*-$/.test(r)), `a Range request continued the download: ${proxy.ranges.join(',')}`);
  assert.deepEqual((await d2.api('GET', `/images/${proxy.addr}/team/cut:0/json`)).json.RootFS.Layers, once.layers.map((l) => l.diffId));
  // Cut on both attempts (d2: --max-download-attempts 2).
  proxy.cut = { digest: img.layers[0]!.digest, after: 600_000, times: 2 };
  const failed = await apiPull(d2, name, xAuth('alice', proxy.addr));
  assert.equal(failed.status, 200, failed.text);
  assert.ok(failed.msgs.some((m) => m.status === 'Retrying in 5 seconds'), failed.text);
  // Go's words for a body cut short, as moby reports the last attempt's error.
  assert.equal(failed.msgs.at(-1)?.error, 'unexpected EOF', JSON.stringify(failed.msgs.at(-1)));
  assert.equal(proxy.cut.times, 0, 'both attempts were cut');
  assert.equal((await d2.api('GET', `/images/${name}/json`)).status, 404);
  assert.equal(existsSync(contentBlob(d2, img.layers[0]!.digest)), false, 'no partial blob');
  assert.equal(existsSync(layerDb(d2, img.layers[0]!.diffId)), false, 'no layer registered');
  assert.deepEqual(await ingestLeft(d2), []);
  proxy.cut = undefined;
  const retry = await apiPull(d2, name, xAuth('alice', proxy.addr));
  assert.equal(retry.status, 200, retry.text);
  assert.match(retry.msgs.at(-1)?.status ?? '', /Downloaded newer image/, retry.text);
  assert.deepEqual((await d2.api('GET', `/images/${name}/json`)).json.RootFS.Layers, img.layers.map((l) => l.diffId));
});

test('a blob whose bytes do not match its digest (corrupted in the registry\'s storage) is rejected, nothing stored', async () => {
  // Stored (level 0) gzip: two layers of one size have one compressed size.
  const layer = () => {
    const tar = singleFileTar('good.bin', randomBytes(8192));
    return { tar, gz: gzipSync(tar, { level: 0 }) };
  };
  const good = layer();
  const bad = layer();
  assert.equal(bad.gz.length, good.gz.length);
  const img = await pushImage(await target('alice', 'team/corrupt'), 'team/corrupt', 'v1', [good]);
  await writeFile(registryBlob(troot, img.layers[0]!.digest), bad.gz);
  const images = (await d2.api('GET', '/images/json')).json.length;
  const alice = await configDir('alice');
  const pull = await d2.docker(['pull', `${H}/team/corrupt:v1`], { env: alice });
  assert.equal(pull.code, 1, pull.stdout);
  assert.match(pull.stderr, re(`filesystem layer verification failed for digest ${img.layers[0]!.digest}`));
  assert.equal((await d2.api('GET', `/images/${H}/team/corrupt:v1/json`)).status, 404);
  assert.equal((await d2.api('GET', '/images/json')).json.length, images);
  for (const b of [img.layers[0]!.digest, sha256(bad.gz), img.configDigest, img.manifestDigest]) assert.equal(existsSync(contentBlob(d2, b)), false, `${b} not in the content store`);
  assert.equal(existsSync(layerDb(d2, img.layers[0]!.diffId)), false);
  assert.equal(existsSync(layerDb(d2, sha256(bad.tar))), false);
  assert.deepEqual(await ingestLeft(d2), []);
});

test('search through berthd against berth-registry\'s /v1/search (a user allowed the catalog); refused without it', async () => {
  const alice = await configDir('alice');
  const docker = await d1.docker(['search', `${H}/team`], { env: alice });
  assert.equal(docker.code, 0, docker.stderr);
  const lines = docker.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
  for (const name of ['team/app', 'team/layered', 'team/multi']) assert.ok(lines.some((l) => new RegExp(`^${name}\\s+0\\s*$`).test(l)), docker.stdout);
  assert.ok(!lines.some((l) => l.startsWith('carol/')), docker.stdout);
  const berth = await d1.berth(['search', `${H}/team`], { env: alice });
  assert.equal(berth.stdout, docker.stdout);
  const limited = await d1.berth(['search', '--limit', '1', '--format', '{{.Name}}', `${H}/team`], { env: alice });
  assert.equal(limited.stdout.split('\n').filter(Boolean).length, 1, limited.stdout);
  const bob = await configDir('bob-search');
  await login(d1, 'docker', 'bob', bob);
  const refused = await d1.docker(['search', `${H}/team`], { env: bob });
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /Error response from daemon: unexpected status code 401/);
  assert.equal((await d1.berth(['search', `${H}/team`], { env: bob })).stderr, refused.stderr);
});

test('GC after deleting a tag\'s manifest: its own blobs go, an image sharing its layers still pulls on the second berthd', async () => {
  const alice = await configDir('alice');
  const commit = async (from: string, cmd: string, name: string) => {
    const c = `gc-${name}`;
    const r = await d1.docker(['run', '--name', c, from, 'sh', '-c', cmd]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await d1.docker(['commit', c, `${H}/team/gc-${name}:v1`])).code, 0);
    assert.equal((await d1.docker(['rm', c])).code, 0);
  };
  await commit('busybox', 'echo shared > /shared', 'base');
  await commit(`${H}/team/gc-base:v1`, 'echo drop > /drop', 'drop');
  await commit(`${H}/team/gc-base:v1`, 'echo keep > /keep', 'keep');
  const digests: Record<string, string> = {};
  for (const n of ['drop', 'keep']) {
    const p = await d1.docker(['push', `${H}/team/gc-${n}:v1`], { env: alice });
    assert.equal(p.code, 0, p.stderr);
    digests[n] = /v1: digest: (sha256:[0-9a-f]{64})/.exec(p.stdout)![1]!;
  }
  const auth = { Authorization: `Bearer ${await token('alice', ['repository:team/gc-drop:pull,delete', 'repository:team/gc-keep:pull'])}` };
  const accept = { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' };
  const manifestOf = async (repo: string, ref: string) => (await (await fetch(`${treg.url}/v2/${repo}/manifests/${ref}`, { headers: { ...auth, ...accept } })).json()) as { config: { digest: string }; layers: { digest: string }[] };
  const drop = await manifestOf('team/gc-drop', 'v1');
  const keep = await manifestOf('team/gc-keep', 'v1');
  const dropOnly = [drop.config.digest, drop.layers.at(-1)!.digest];
  assert.equal(keep.layers.length, 3);
  assert.deepEqual(keep.layers.slice(0, 2), drop.layers.slice(0, 2), 'busybox and the shared layer');
  const del = await fetch(`${treg.url}/v2/team/gc-drop/manifests/${digests.drop}`, { method: 'DELETE', headers: auth });
  assert.equal(del.status, 202, await del.text());
  const gc = await run(BERTH_REGISTRY, ['garbage-collect', '--grace', '0s', tconfig], { timeoutMs: 60_000 });
  assert.equal(gc.code, 0, gc.stderr);
  for (const b of dropOnly) assert.equal(existsSync(registryBlob(troot, b)), false, `${b} collected`);
  for (const b of [keep.config.digest, ...keep.layers.map((l) => l.digest), digests.keep!]) assert.equal(existsSync(registryBlob(troot, b)), true, `${b} kept`);
  assert.equal(existsSync(registryBlob(troot, appDigest)), true);
  const pull = await d2.docker(['pull', `${H}/team/gc-keep:v1`], { env: alice });
  assert.equal(pull.code, 0, pull.stderr + pull.stdout);
  const ran = await d2.docker(['run', '--rm', `${H}/team/gc-keep:v1`, 'cat', '/shared', '/keep']);
  assert.equal(ran.stdout, 'shared\nkeep\n', ran.stderr);
  const gone = await d2.docker(['pull', `${H}/team/gc-drop:v1`], { env: alice });
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, re(`manifest for ${H}/team/gc-drop:v1 not found`));
});
