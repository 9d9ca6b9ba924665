// Pull (POST /images/create?fromImage) against Debian's docker-registry (distribution 2.8) on
// loopback and on this daemon's bridge address, and against small hostile registries: the
// progress stream, the docker CLI, by digest, layer reuse, a multi-arch index, basic auth,
// TLS with a CA and a client certificate in certs.d, an insecure registry set by a reload,
// a mirror for docker.io, an interrupted download (resumed with Range, or failed then retried),
// and blobs or configs that lie (rejected, nothing stored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUSYBOX_TAR, LAYERED_TAR, ROOT, run, startDaemon, waitFor, type Daemon } from './harness.ts';
import { pushArchive, startCutProxy, startRegistry, type Registry } from './distribution.test-helpers.ts';
import { imageConfig, manifestSize, pushImage, pushIndex, randomLayer, singleFileTar } from '../../bench/registry-image.ts';
import { createHash } from 'node:crypto';

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let d: Daemon;
let reg: Registry;
let tmp: string;
let certsDir: string;
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  tmp = await mkdtemp('/tmp/bt-pull-');
  certsDir = join(tmp, 'certs.d');
  await mkdir(certsDir);
  d = await startDaemon(['--max-download-attempts', '2', '--registry-certs-dir', certsDir]);
  reg = await startRegistry();
  await pushArchive(reg, LAYERED_TAR, 'test/layered:1');
  await pushArchive(reg, BUSYBOX_TAR, 'test/busybox:latest');
});
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await reg?.stop();
  await d?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

type Msg = { status?: string; id?: string; progress?: string; progressDetail?: { current?: number; total?: number }; error?: string; errorDetail?: { message: string } };

async function apiPull(query: string, headers: Record<string, string> = {}): Promise<{ status: number; msgs: Msg[]; text: string; json: any }> {
  const r = await d.api('POST', `/images/create?${query}`, undefined, headers);
  const msgs = r.status === 200 ? r.text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Msg) : [];
  return { status: r.status, msgs, text: r.text, json: r.json };
}

const authHeader = (o: object) => ({ 'X-Registry-Auth': Buffer.from(JSON.stringify(o)).toString('base64url') });

function blobPath(digest: string): string {
  return join(d.dataRoot, 'content', 'blobs', 'sha256', digest.slice(7));
}

async function ingestLeft(): Promise<string[]> {
  return readdir(join(d.dataRoot, 'content', 'ingest')).catch(() => []);
}

function layerDb(chainId: string): string {
  return join(d.dataRoot, 'image', 'layerdb', 'sha256', chainId.slice(7));
}

test('pull through the API: Docker\'s progress per layer, digest, status, references and the pull event', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const ref = `${reg.addr}/test/layered`;
  const manifest = JSON.parse((await (await fetch(`http://${reg.addr}/v2/test/layered/manifests/1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).text()));
  const mdigest = sha256(await (await fetch(`http://${reg.addr}/v2/test/layered/manifests/1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).text());
  const r = await apiPull(`fromImage=${encodeURIComponent(ref)}&tag=1`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.msgs[0], { status: 'Pulling from test/layered', id: '1' });
  assert.ok(r.text.includes('\\u003e]'), 'the bar\'s ">" escaped as Go\'s encoding/json writes it');
  const ids = (manifest.layers as { digest: string }[]).map((l) => l.digest.slice(7, 19));
  for (const id of ids) {
    const seq = r.msgs.filter((m) => m.id === id).map((m) => m.status);
    const order = ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete'];
    let at = -1;
    for (const s of order) {
      const i = seq.indexOf(s, at + 1);
      assert.ok(i > at, `${id}: ${s} after the previous steps in ${JSON.stringify(seq)}`);
      at = i;
    }
    assert.deepEqual(r.msgs.find((m) => m.id === id && m.status === 'Pulling fs layer'), { status: 'Pulling fs layer', progressDetail: {}, id });
    const dl = r.msgs.filter((m) => m.id === id && m.status === 'Downloading').at(-1)!;
    assert.equal(dl.progressDetail?.current, dl.progressDetail?.total);
    assert.match(dl.progress ?? '', /^\[=+>\] +[\d.]+[kMG]?B\/[\d.]+[kMG]?B$/);
    assert.deepEqual(Object.keys(dl), ['status', 'progressDetail', 'progress', 'id']);
  }
  assert.deepEqual(r.msgs.at(-2), { status: `Digest: ${mdigest}` });
  assert.deepEqual(r.msgs.at(-1), { status: `Status: Downloaded newer image for ${ref}:1` });
  const inspect = await d.api('GET', `/images/${ref}:1/json`);
  assert.equal(inspect.status, 200);
  assert.deepEqual(inspect.json.RepoTags, [`${ref}:1`]);
  assert.deepEqual(inspect.json.RepoDigests, [`${ref}@${mdigest}`]);
  assert.equal(inspect.json.Id, manifest.config.digest);
  // every blob is kept as received, and the pull event names the reference
  for (const l of manifest.layers as { digest: string }[]) assert.ok(existsSync(blobPath(l.digest)));
  const ev = await d.api('GET', `/events?since=${since}&until=${Math.floor(Date.now() / 1000) + 1}&filters=${encodeURIComponent(JSON.stringify({ type: ['image'], event: ['pull'] }))}`);
  const events = ev.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(events.length, 1, ev.text);
  assert.equal(events[0].Actor.ID, `${ref}:1`);
  assert.equal(events[0].Actor.Attributes.name, ref);
  // the same pull again: up to date, nothing fetched
  const again = await apiPull(`fromImage=${encodeURIComponent(ref)}&tag=1`);
  assert.deepEqual(again.msgs.map((m) => m.status), ['Pulling from test/layered', `Digest: ${mdigest}`, `Status: Image is up to date for ${ref}:1`]);
});

test('docker pull and docker run of the pulled image; the shared base layer "Already exists"', async () => {
  const ref = `${reg.addr}/test/busybox`;
  const p = await d.docker(['pull', ref]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /Using default tag: latest/);
  assert.match(p.stdout, /: Already exists/, 'busybox is the first layer of test/layered, pulled before');
  assert.match(p.stdout, new RegExp(`Status: Downloaded newer image for ${ref.replace(/[.]/g, '\\.')}:latest`));
  const out = await d.docker(['run', '--rm', ref, 'echo', 'pulled']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.trim(), 'pulled');
  const again = await d.docker(['pull', ref]);
  assert.match(again.stdout, /Status: Image is up to date/);
});

test('pull by digest; an unknown tag, digest or repository is Docker\'s 404', async () => {
  const text = await (await fetch(`http://${reg.addr}/v2/test/busybox/manifests/latest`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).text();
  const digest = sha256(text);
  await d.docker(['rmi', `${reg.addr}/test/busybox`]);
  const byDigest = await d.docker(['pull', `${reg.addr}/test/busybox@${digest}`]);
  assert.equal(byDigest.code, 0, byDigest.stderr);
  assert.match(byDigest.stdout, new RegExp(`${digest.slice(7)}: Pulling from test/busybox`));
  const imgs = await d.docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}', `${reg.addr}/test/busybox`]);
  assert.equal(imgs.stdout.trim(), `${reg.addr}/test/busybox <none> ${digest}`);
  const run1 = await d.docker(['run', '--rm', `${reg.addr}/test/busybox@${digest}`, 'true']);
  assert.equal(run1.code, 0, run1.stderr);

  const tag = await apiPull(`fromImage=${encodeURIComponent(`${reg.addr}/test/busybox`)}&tag=nope`);
  assert.equal(tag.status, 404);
  assert.equal(tag.json.message, `manifest for ${reg.addr}/test/busybox:nope not found: manifest unknown: manifest unknown`);
  const wrong = `sha256:${'0'.repeat(64)}`;
  const dg = await d.docker(['pull', `${reg.addr}/test/busybox@${wrong}`]);
  assert.equal(dg.code, 1);
  assert.match(dg.stderr, /Error response from daemon: manifest for .*@sha256:0{64} not found: manifest unknown/);
  const bad = await apiPull(`fromImage=${encodeURIComponent(`${reg.addr}/test/busybox`)}&tag=latest&platform=${encodeURIComponent('linux/amd64/x/y')}`);
  assert.equal(bad.status, 400);
  const scratch = await apiPull('fromImage=scratch&tag=latest');
  assert.equal(scratch.status, 403);
  assert.equal(scratch.json.message, "'scratch' is a reserved name");
});

test('a multi-arch index: the host platform by default, ?platform= picks another, no match is Docker\'s error; all tags', async () => {
  const target = { addr: reg.addr };
  const layer = randomLayer(4096);
  const amd = await pushImage(target, 'test/multi', 'amd64-only', [layer], { architecture: 'amd64' });
  const arm = await pushImage(target, 'test/multi', 'arm64-only', [layer], { architecture: 'arm64', variant: 'v8' });
  const idx = await pushIndex(target, 'test/multi', 'latest', [
    { digest: arm.manifestDigest, size: await manifestSize(target, 'test/multi', 'arm64-only'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { digest: amd.manifestDigest, size: await manifestSize(target, 'test/multi', 'amd64-only'), platform: { os: 'linux', architecture: 'amd64' } },
  ]);
  const name = `${reg.addr}/test/multi`;
  const host = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=latest`);
  assert.equal(host.status, 200, host.text);
  assert.deepEqual(host.msgs.at(-2), { status: `Digest: ${idx}` }, 'the digest shown is the index\'s');
  const hostImg = await d.api('GET', `/images/${name}:latest/json`);
  assert.equal(hostImg.json.Id, amd.configDigest, `amd64 ${amd.configDigest}, arm64 ${arm.configDigest}: ${JSON.stringify(host.msgs)}`);
  assert.equal(hostImg.json.Architecture, 'amd64');
  const armPull = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=latest&platform=linux%2Farm64`);
  assert.equal(armPull.status, 200, armPull.text);
  assert.ok(armPull.msgs.some((m) => m.status === 'Already exists'), 'the shared layer is not fetched again');
  const armImg = await d.api('GET', `/images/${name}:latest/json`);
  assert.equal(armImg.json.Id, arm.configDigest, JSON.stringify(armPull.msgs));
  assert.equal(armImg.json.Architecture, 'arm64');
  const none = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=latest&platform=linux%2Fs390x`);
  assert.equal(none.status, 200);
  assert.deepEqual(none.msgs.at(-1), { errorDetail: { message: 'no matching manifest for linux/s390x in the manifest list entries' }, error: 'no matching manifest for linux/s390x in the manifest list entries' });

  const dist = await d.api('GET', `/distribution/${name}:latest/json`);
  assert.equal(dist.status, 200, dist.text);
  assert.deepEqual(dist.json.Descriptor, { mediaType: 'application/vnd.oci.image.index.v1+json', digest: idx, size: dist.json.Descriptor.size });
  assert.deepEqual(dist.json.Platforms, [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'amd64' }]);
  const single = await d.api('GET', `/distribution/${name}:arm64-only/json`);
  assert.deepEqual(single.json.Platforms, [{ architecture: 'arm64', os: 'linux', variant: 'v8' }]);

  const all = await d.docker(['pull', '-a', name]);
  assert.equal(all.code, 0, all.stderr);
  for (const t of ['amd64-only', 'arm64-only', 'latest']) assert.match(all.stdout, new RegExp(`${t}: Pulling from test/multi`));
  const tags = await d.docker(['images', '--format', '{{.Tag}}', name]);
  assert.deepEqual(tags.stdout.trim().split('\n').sort(), ['amd64-only', 'arm64-only', 'latest']);
});

test('basic auth (htpasswd, bcrypt): no credentials, a wrong password, X-Registry-Auth and the docker CLI\'s config', async () => {
  // berth-registry prints the bcrypt line Apache's `htpasswd -Bbn` would.
  const hp = await run(join(ROOT, 'bin/berth-registry'), ['htpasswd', '-B', 'alice', 's3cret']);
  assert.equal(hp.code, 0, hp.stderr);
  const areg = await startRegistry({ htpasswd: hp.stdout });
  cleanups.push(() => areg.stop());
  await pushArchive(areg, BUSYBOX_TAR, 'private/busybox:1', 'alice:s3cret');
  const name = `${areg.addr}/private/busybox`;
  const anon = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(anon.status, 500);
  assert.equal(anon.json.message, `Get "http://${areg.addr}/v2/private/busybox/manifests/1": no basic auth credentials`);
  const wrong = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`, authHeader({ username: 'alice', password: 'nope' }));
  assert.equal(wrong.status, 500);
  assert.match(wrong.json.message, /^unauthorized: /);
  const ok = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`, authHeader({ username: 'alice', password: 's3cret', serveraddress: areg.addr }));
  assert.equal(ok.status, 200, ok.text);
  assert.match(ok.msgs.at(-1)!.status!, /Status: Downloaded newer image/);
  await d.docker(['rmi', `${name}:1`]);
  // the real CLI sends the credentials of its config file
  const cfgDir = join(tmp, 'docker-config');
  await mkdir(cfgDir, { recursive: true });
  await writeFile(join(cfgDir, 'config.json'), JSON.stringify({ auths: { [areg.addr]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
  const cli = await d.docker(['pull', `${name}:1`], { env: { DOCKER_CONFIG: cfgDir } });
  assert.equal(cli.code, 0, cli.stderr);
});

/** openssl: a CA, a server certificate for `ip`, and a client certificate. */
async function makePki(dir: string, ip: string): Promise<void> {
  const sh = async (args: string[]) => {
    const r = await run('openssl', args, { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  await sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth test CA', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt')]);
  for (const [name, ext] of [['server', `subjectAltName=IP:${ip}`], ['client', 'extendedKeyUsage=clientAuth']]) {
    await sh(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`)]);
    await writeFile(join(dir, `${name}.ext`), `${ext}\n`);
    await sh(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '2', '-extfile', join(dir, `${name}.ext`), '-out', join(dir, `${name}.crt`)]);
  }
}

/** This daemon's bridge address: a local address outside 127.0.0.0/8, so "secure" by default. */
const bridgeIp = () => d.bip.split('/')[0];

test('TLS outside loopback: refused without the CA, a client certificate required, then pulled with ca.crt and client.cert/key in certs.d', async () => {
  const ip = bridgeIp();
  const pki = join(tmp, 'pki');
  await mkdir(pki);
  await makePki(pki, ip);
  const treg = await startRegistry({ host: ip, tls: { certFile: join(pki, 'server.crt'), keyFile: join(pki, 'server.key'), clientCaFile: join(pki, 'ca.crt') } });
  cleanups.push(() => treg.stop());
  const skopeoCerts = join(tmp, 'skopeo-certs');
  await mkdir(skopeoCerts);
  await writeFile(join(skopeoCerts, 'client.cert'), await readFile(join(pki, 'client.crt')));
  await writeFile(join(skopeoCerts, 'client.key'), await readFile(join(pki, 'client.key')));
  await pushArchive(treg, BUSYBOX_TAR, 'tls/busybox:1', undefined, skopeoCerts);
  const name = `${treg.addr}/tls/busybox`;
  const noCa = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(noCa.status, 500);
  assert.match(noCa.json.message, /x509: certificate signed by unknown authority/);
  const hostDir = join(certsDir, treg.addr);
  await mkdir(hostDir);
  await writeFile(join(hostDir, 'ca.crt'), await readFile(join(pki, 'ca.crt')));
  const noClient = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(noClient.status, 500, `the registry wants a client certificate: ${noClient.text}`);
  await writeFile(join(hostDir, 'client.cert'), await readFile(join(pki, 'client.crt')));
  const lone = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(lone.status, 400);
  assert.equal(lone.json.message, 'missing key client.key for client certificate client.cert. CA certificates must use the extension .crt');
  await writeFile(join(hostDir, 'client.key'), await readFile(join(pki, 'client.key')));
  const ok = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(ok.status, 200, ok.text);
  assert.match(ok.msgs.at(-1)!.status!, /Status: Downloaded newer image/);
});

test('an insecure registry over plain HTTP outside loopback (insecure-registries by reload), /info, and a docker.io mirror', async () => {
  const ip = bridgeIp();
  const hreg = await startRegistry({ host: ip });
  cleanups.push(() => hreg.stop());
  await pushArchive(hreg, BUSYBOX_TAR, 'plain/busybox:1');
  await pushArchive(hreg, BUSYBOX_TAR, 'library/busybox:mirrored');
  const name = `${hreg.addr}/plain/busybox`;
  const secure = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(secure.status, 500);
  assert.match(secure.json.message, /http: server gave HTTP response to HTTPS client/);
  const info0 = await d.api('GET', '/info');
  assert.deepEqual(info0.json.RegistryConfig.InsecureRegistryCIDRs, ['::1/128', '127.0.0.0/8']);
  assert.deepEqual(info0.json.RegistryConfig.IndexConfigs['docker.io'], { Name: 'docker.io', Mirrors: [], Secure: true, Official: true });
  assert.equal(info0.json.IndexServerAddress, 'https://index.docker.io/v1/');

  const cfgFile = join(d.dir, 'daemon.json');
  const cfg = JSON.parse(await readFile(cfgFile, 'utf8'));
  await writeFile(cfgFile, JSON.stringify({ ...cfg, 'insecure-registries': [hreg.addr, '192.0.2.0/24'], 'registry-mirrors': [`http://${hreg.addr}`] }));
  process.kill(d.pid!, 'SIGHUP');
  await waitFor(async () => (await d.api('GET', '/info')).json.RegistryConfig.IndexConfigs[hreg.addr] !== undefined, 'the reloaded registry settings');
  const info = await d.api('GET', '/info');
  assert.deepEqual(info.json.RegistryConfig.IndexConfigs[hreg.addr], { Name: hreg.addr, Mirrors: [], Secure: false, Official: false });
  assert.deepEqual(info.json.RegistryConfig.InsecureRegistryCIDRs, ['::1/128', '127.0.0.0/8', '192.0.2.0/24']);
  assert.deepEqual(info.json.RegistryConfig.Mirrors, [`http://${hreg.addr}/`]);
  const ok = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(ok.status, 200, ok.text);
  // docker.io names go to the mirror first (it has the image: nothing reaches Docker Hub)
  const mirrored = await d.docker(['pull', 'busybox:mirrored']);
  assert.equal(mirrored.code, 0, mirrored.stderr);
  assert.match(mirrored.stdout, /mirrored: Pulling from library\/busybox/);
  assert.match(mirrored.stdout, /Status: Image is up to date for busybox:mirrored|Status: Downloaded newer image for busybox:mirrored/);
  await writeFile(cfgFile, JSON.stringify(cfg));
  process.kill(d.pid!, 'SIGHUP');
  await waitFor(async () => (await d.api('GET', '/info')).json.RegistryConfig.IndexConfigs[hreg.addr] === undefined, 'the settings back');
});

test('an interrupted download is resumed with a Range request; cut every time, the pull fails with nothing partial and the next pull reuses the finished blobs', async () => {
  const proxy = await startCutProxy(reg);
  cleanups.push(() => proxy.stop());
  const big = randomLayer(3 * 1024 * 1024);
  const small = randomLayer(2048);
  const img = await pushImage({ addr: reg.addr }, 'test/cut', '1', [big, small]);
  const name = `${proxy.addr}/test/cut`;
  proxy.cut = { digest: img.layers[0].digest, after: 700_000, times: 1 };
  const resumed = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(resumed.status, 200, resumed.text);
  assert.ok(resumed.msgs.some((m) => m.status === 'Retrying in 5 seconds'), JSON.stringify(resumed.msgs.map((m) => m.status)));
  assert.match(resumed.msgs.at(-1)!.status!, /Downloaded newer image/);
  assert.ok(proxy.ranges.some((r) => /^bytes=[1-9]\d*-$/.test(r)), `a Range request continued the download: ${proxy.ranges.join(',')}`);
  const got = await d.api('GET', `/images/${name}:1/json`);
  assert.deepEqual(got.json.RootFS.Layers, img.layers.map((l) => l.diffId), 'the layers registered are the ones the config names');

  // A new image whose big bottom layer is cut on every attempt (max-download-attempts 2).
  const big2 = randomLayer(3 * 1024 * 1024);
  const small2 = randomLayer(4096);
  const img2 = await pushImage({ addr: reg.addr }, 'test/cut', '2', [big2, small2]);
  proxy.cut = { digest: img2.layers[0].digest, after: 500_000, times: 2 };
  proxy.blobGets.length = 0;
  const failed = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=2`);
  assert.equal(failed.status, 200);
  assert.ok(failed.msgs.at(-1)!.error, JSON.stringify(failed.msgs.at(-1)));
  assert.equal((await d.api('GET', `/images/${name}:2/json`)).status, 404);
  assert.equal(existsSync(blobPath(img2.layers[0].digest)), false, 'no partial blob');
  assert.deepEqual(await ingestLeft(), []);
  const chain0 = img2.layers[0].diffId;
  assert.equal(existsSync(layerDb(chain0)), false, 'no layer registered');
  assert.equal(existsSync(blobPath(img2.layers[1].digest)), true, 'the finished small blob is kept for the next pull');
  proxy.cut = undefined;
  proxy.blobGets.length = 0;
  const retry = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=2`);
  assert.equal(retry.status, 200, retry.text);
  assert.match(retry.msgs.at(-1)!.status!, /Downloaded newer image/);
  assert.deepEqual(proxy.blobGets.filter((g) => g !== img2.configDigest), [img2.layers[0].digest], 'only the unfinished blob is fetched again');
});

test('a client that goes away stops the pull: nothing partial is left, and the next pull works', async () => {
  const proxy = await startCutProxy(reg);
  cleanups.push(() => proxy.stop());
  const img = await pushImage({ addr: reg.addr }, 'test/gone', '1', [randomLayer(3 * 1024 * 1024)]);
  const name = `${proxy.addr}/test/gone`;
  proxy.cut = { digest: img.layers[0].digest, after: 400_000, times: 1 };
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({ socketPath: d.socket, method: 'POST', path: `/images/create?fromImage=${encodeURIComponent(name)}&tag=1` }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
        // the download broke and waits to retry: hang up now
        if (text.includes('Retrying in')) {
          req.destroy();
          resolve();
        }
      });
      res.on('end', () => reject(new Error(`the pull ended before its retry: ${text}`)));
    });
    req.on('error', () => {});
    req.end();
  });
  await waitFor(async () => (await ingestLeft()).length === 0, 'the ingest of the abandoned pull to go');
  assert.equal(existsSync(blobPath(img.layers[0].digest)), false);
  assert.equal(existsSync(layerDb(img.layers[0].diffId)), false);
  assert.equal((await d.api('GET', `/images/${name}:1/json`)).status, 404);
  const again = await apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`);
  assert.equal(again.status, 200, again.text);
  assert.match(again.msgs.at(-1)!.status!, /Downloaded newer image/);
});

test('two pulls of the same image at once share each blob download and both succeed', async () => {
  const proxy = await startCutProxy(reg);
  cleanups.push(() => proxy.stop());
  const img = await pushImage({ addr: reg.addr }, 'test/twice', '1', [randomLayer(2 * 1024 * 1024), randomLayer(1024 * 1024)]);
  const name = `${proxy.addr}/test/twice`;
  const [a, b] = await Promise.all([apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`), apiPull(`fromImage=${encodeURIComponent(name)}&tag=1`)]);
  for (const r of [a, b]) {
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.msgs.some((m) => m.error), r.text);
  }
  for (const l of img.layers) assert.equal(proxy.blobGets.filter((g) => g === l.digest).length, 1, `${l.digest} fetched once`);
  assert.equal((await d.api('GET', `/images/${name}:1/json`)).json.Id, img.configDigest);
});

/** A registry in this process that serves fixed manifests and blobs (and lies where told). */
async function fakeRegistry(files: Map<string, { body: Buffer; type?: string }>): Promise<{ addr: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') {
      res.writeHead(200, { 'Docker-Distribution-Api-Version': 'registry/2.0' }).end('{}');
      return;
    }
    const f = files.get(url);
    if (!f) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: url.includes('/manifests/') ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN', message: 'unknown' }] }));
      return;
    }
    res.writeHead(200, { 'Content-Type': f.type ?? 'application/octet-stream', 'Content-Length': String(f.body.length) });
    res.end(req.method === 'HEAD' ? undefined : f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  return { addr: `127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

function schema2(config: string, layers: { digest: string; size: number }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: Buffer.byteLength(config), digest: sha256(config) },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...l })),
  });
}

test('hostile registries: a blob that does not match its digest, diff_ids that do not match the layers, schema1, a huge manifest — rejected, nothing stored', async () => {
  const honestTar = singleFileTar('honest.txt', Buffer.from('what the digest says\n'));
  const honest = gzipSync(honestTar);
  const evil = gzipSync(singleFileTar('evil.txt', Buffer.from('something else entirely\n')));
  const config = imageConfig([sha256(honestTar)]);
  const lying = schema2(config, [{ digest: sha256(honest), size: evil.length }]);
  const files = new Map<string, { body: Buffer; type?: string }>([
    ['/v2/hostile/blob/manifests/1', { body: Buffer.from(lying), type: 'application/vnd.docker.distribution.manifest.v2+json' }],
    [`/v2/hostile/blob/blobs/${sha256(config)}`, { body: Buffer.from(config) }],
    [`/v2/hostile/blob/blobs/${sha256(honest)}`, { body: evil }],
  ]);
  // diff_ids naming another layer than the blob carries
  const otherConfig = imageConfig([sha256('not this layer')]);
  files.set('/v2/hostile/diff/manifests/1', { body: Buffer.from(schema2(otherConfig, [{ digest: sha256(evil), size: evil.length }])), type: 'application/vnd.docker.distribution.manifest.v2+json' });
  files.set(`/v2/hostile/diff/blobs/${sha256(otherConfig)}`, { body: Buffer.from(otherConfig) });
  files.set(`/v2/hostile/diff/blobs/${sha256(evil)}`, { body: evil });
  files.set('/v2/hostile/old/manifests/1', { body: Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'hostile/old', tag: '1', fsLayers: [] })), type: 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
  files.set('/v2/hostile/huge/manifests/1', { body: Buffer.alloc(5 * 1024 * 1024, 0x20), type: 'application/vnd.docker.distribution.manifest.v2+json' });
  // the same layer content, recompressed: its diffID is right, its blob digest is not
  const sameTar = singleFileTar('same.txt', Buffer.from('same bytes, other blob\n'));
  const sameGz = gzipSync(sameTar);
  const otherGz = Buffer.from(sameGz);
  otherGz[9] = otherGz[9] === 3 ? 255 : 3; // gzip's OS byte: ignored by gunzip
  const sameConfig = imageConfig([sha256(sameTar)]);
  files.set('/v2/hostile/same/manifests/1', { body: Buffer.from(schema2(sameConfig, [{ digest: sha256(sameGz), size: sameGz.length }])), type: 'application/vnd.docker.distribution.manifest.v2+json' });
  files.set(`/v2/hostile/same/blobs/${sha256(sameConfig)}`, { body: Buffer.from(sameConfig) });
  files.set(`/v2/hostile/same/blobs/${sha256(sameGz)}`, { body: otherGz });
  const fake = await fakeRegistry(files);

  const before = (await d.api('GET', '/images/json')).json.length;
  const blob = await apiPull(`fromImage=${encodeURIComponent(`${fake.addr}/hostile/blob`)}&tag=1`);
  assert.equal(blob.status, 200);
  assert.equal(blob.msgs.at(-1)!.error, `filesystem layer verification failed for digest ${sha256(honest)}`);
  assert.equal(existsSync(blobPath(sha256(honest))), false);
  assert.equal(existsSync(blobPath(sha256(evil))), false);
  assert.equal(existsSync(layerDb(sha256(honestTar))), false);
  assert.deepEqual(await ingestLeft(), []);

  const same = await apiPull(`fromImage=${encodeURIComponent(`${fake.addr}/hostile/same`)}&tag=1`);
  assert.equal(same.msgs.at(-1)!.error, `filesystem layer verification failed for digest ${sha256(sameGz)}`);
  assert.equal(existsSync(layerDb(sha256(sameTar))), false, 'extracted while downloading, but never registered');
  assert.equal(existsSync(blobPath(sha256(sameGz))), false);
  assert.equal(existsSync(blobPath(sha256(otherGz))), false);

  const diff = await apiPull(`fromImage=${encodeURIComponent(`${fake.addr}/hostile/diff`)}&tag=1`);
  assert.equal(diff.msgs.at(-1)!.error, "layers from manifest don't match image configuration");
  assert.equal(existsSync(layerDb(sha256('not this layer'))), false);
  assert.equal((await d.api('GET', '/images/json')).json.length, before, 'no image stored');

  const old = await apiPull(`fromImage=${encodeURIComponent(`${fake.addr}/hostile/old`)}&tag=1`);
  assert.equal(old.status, 400);
  assert.equal(old.json.message, `Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of ${fake.addr}/hostile/old:1 to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/`);
  const huge = await apiPull(`fromImage=${encodeURIComponent(`${fake.addr}/hostile/huge`)}&tag=1`);
  assert.equal(huge.status, 503);
  assert.match(huge.json.message, /too large/);
  assert.equal((await d.api('GET', '/images/json')).json.length, before);
});
