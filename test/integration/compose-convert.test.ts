// The compose convert part against a real berthd: the create bodies docker compose v2 would send
// (networks, volumes, containers, run one-offs, recreate with inherited anonymous volumes, secrets
// and configs as binds and copied files) are accepted by the daemon and give containers whose
// inspect shows what compose meant. Real berthd, real runc; raw API requests (the engine part's
// orchestration is tested on its own branch).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';
import {
  containerPlan, runContainerPlan, networkCreateBody, volumeCreateBody, checkExistingNetwork, checkExistingVolume, injectionTar,
  type ContainerPlan, type Project, type ServiceConfig,
} from '../../src/compose/index.ts';

let d: Daemon;
let dir: string;
let project: Project;

const svc = (name: string, s: Partial<ServiceConfig>): ServiceConfig => ({ name, ...s }) as ServiceConfig;

before(async () => {
  d = await startDaemonWithBusybox();
  dir = await mkdtemp(join(tmpdir(), 'berth-cvt-'));
  await writeFile(join(dir, 'pw.txt'), 'hunter2');
  await mkdir(join(dir, 'html'));
  await writeFile(join(dir, 'html', 'index.html'), '<h1>hi</h1>');
  project = {
    name: 'cvt',
    working_dir: dir,
    compose_files: [join(dir, 'compose.yaml')],
    services: {
      db: svc('db', {
        image: 'busybox:latest',
        command: ['sleep', '1000'],
        healthcheck: { test: ['CMD', 'true'], interval: '1s', retries: 3 },
        volumes: [{ type: 'volume', source: 'data', target: '/data' }, { type: 'volume', target: '/cache' }],
        networks: { back: { aliases: ['database'] } },
        stop_grace_period: '1s',
      }),
      web: svc('web', {
        image: 'busybox:latest',
        command: ['sleep', '1000'],
        environment: { GREETING: 'hello', EMPTY: '' },
        ports: [{ mode: 'ingress', target: 80, host_ip: '127.0.0.1', protocol: 'tcp' }],
        volumes: [{ type: 'bind', source: join(dir, 'html'), target: '/html', read_only: true, bind: { create_host_path: true } }],
        tmpfs: ['/scratch:size=1m'],
        secrets: [{ source: 'pw' }, { source: 'tok', target: 'token', mode: 0o440 }],
        configs: [{ source: 'conf', target: '/etc/app.conf' }],
        networks: { default: null, back: { priority: 10 } },
        restart: 'unless-stopped',
        mem_limit: 64 * 1024 * 1024,
        labels: { 'com.example.role': 'front' },
        depends_on: { db: { condition: 'service_healthy', required: true } },
        stop_grace_period: '1s',
      }),
      side: svc('side', { image: 'busybox:latest', command: ['sleep', '1000'], network_mode: 'service:db', stop_grace_period: '1s' }),
    },
    disabled_services: {},
    networks: { default: { name: 'cvt_default' }, back: { name: 'cvt_back', internal: true, labels: { tier: 'back' } } },
    volumes: { data: { name: 'cvt_data', labels: { keep: 'yes' } } },
    secrets: { pw: { name: 'pw', file: join(dir, 'pw.txt') }, tok: { name: 'tok', environment: 'TOKEN' } },
    configs: { conf: { name: 'conf', content: 'debug = true\n' } },
    profiles: [],
    environment: { TOKEN: 't0ken' },
  };
});

after(async () => {
  await d?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function ok(p: Promise<{ status: number; text: string; json: any }>, what: string): Promise<any> {
  const r = await p;
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`);
  return r.json;
}

/** What the engine part does with a plan: create, connect, put files. Returns the ID. */
async function create(plan: ContainerPlan): Promise<string> {
  const res = await ok(d.api('POST', `/containers/create?name=${encodeURIComponent(plan.createName)}`, plan.body), `create ${plan.name}`);
  for (const c of plan.connectAfterCreate) await ok(d.api('POST', `/networks/${c.network}/connect`, { Container: res.Id, ...c.body }), `connect ${c.network}`);
  for (const f of plan.files) {
    await ok(d.api('PUT', `/containers/${res.Id}/archive?path=/${f.copyUIDGID ? '&copyUIDGID=1' : ''}`, await injectionTar(f), { 'Content-Type': 'application/x-tar' }), `put ${f.target}`);
  }
  return res.Id as string;
}

async function exec(name: string, cmd: string[]): Promise<string> {
  const r = await d.docker(['exec', name, ...cmd]);
  assert.equal(r.code, 0, `exec ${cmd.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('networks and volumes from their create bodies carry compose labels and pass the existing-resource checks', async () => {
  for (const key of ['default', 'back']) await ok(d.api('POST', '/networks/create', networkCreateBody(project, key)), `network ${key}`);
  await ok(d.api('POST', '/volumes/create', volumeCreateBody(project, 'data')), 'volume');
  const back = await ok(d.api('GET', '/networks/cvt_back'), 'inspect network');
  assert.equal(back.Internal, true);
  assert.deepEqual(back.Labels, { tier: 'back', 'com.docker.compose.network': 'back', 'com.docker.compose.project': 'cvt', 'com.docker.compose.version': '2.29.7' });
  assert.deepEqual(checkExistingNetwork(project, 'back', back), []);
  const vol = await ok(d.api('GET', '/volumes/cvt_data'), 'inspect volume');
  assert.equal(vol.Labels['com.docker.compose.volume'], 'data');
  assert.deepEqual(checkExistingVolume(project, 'data', vol), []);
  assert.throws(() => checkExistingNetwork(project, 'default', back), /network cvt_default was found but has incorrect label com.docker.compose.network set to "back"/);
});

test('service containers: names, labels, mounts, secrets, configs, networks and host settings as compose meant', async () => {
  const dbPlan = containerPlan(project, project.services.db, { number: 1, apiVersion: '1.50' });
  const dbId = await create(dbPlan);
  await ok(d.api('POST', `/containers/${dbId}/start`), 'start db');
  await waitFor(async () => (await d.api('GET', `/containers/${dbId}/json`)).json?.State?.Health?.Status === 'healthy', 'db healthy', 20_000);

  const webPlan = containerPlan(project, project.services.web, { number: 1, apiVersion: '1.50', imageId: 'sha256:test' });
  assert.equal(webPlan.name, 'cvt-web-1');
  const webId = await create(webPlan);
  await ok(d.api('POST', `/containers/${webId}/start`), 'start web');
  const web = await ok(d.api('GET', `/containers/${webId}/json`), 'inspect web');
  assert.equal(web.Name, '/cvt-web-1');
  assert.equal(web.Config.Labels['com.docker.compose.project'], 'cvt');
  assert.equal(web.Config.Labels['com.docker.compose.service'], 'web');
  assert.equal(web.Config.Labels['com.docker.compose.container-number'], '1');
  assert.equal(web.Config.Labels['com.docker.compose.oneoff'], 'False');
  assert.equal(web.Config.Labels['com.docker.compose.depends_on'], 'db:service_healthy:false');
  assert.equal(web.Config.Labels['com.example.role'], 'front');
  assert.ok(web.Config.Env.includes('GREETING=hello'));
  assert.ok(web.Config.Env.includes('EMPTY='));
  assert.equal(web.HostConfig.RestartPolicy.Name, 'unless-stopped');
  assert.equal(web.HostConfig.Memory, 64 * 1024 * 1024);
  assert.deepEqual(web.HostConfig.Binds, [`${join(dir, 'html')}:/html:ro`]);
  assert.equal(web.HostConfig.NetworkMode, 'cvt_back');
  assert.deepEqual(Object.keys(web.NetworkSettings.Networks).sort(), ['cvt_back', 'cvt_default']);
  assert.ok(web.NetworkSettings.Networks.cvt_default.Aliases.includes('web'));
  assert.equal(web.NetworkSettings.Ports['80/tcp'][0].HostIp, '127.0.0.1');

  assert.equal(await exec('cvt-web-1', ['cat', '/html/index.html']), '<h1>hi</h1>');
  assert.equal(await exec('cvt-web-1', ['cat', '/run/secrets/pw']), 'hunter2');
  assert.equal(await exec('cvt-web-1', ['cat', '/run/secrets/token']), 't0ken');
  assert.equal((await exec('cvt-web-1', ['stat', '-c', '%a', '/run/secrets/token'])).trim(), '440');
  assert.equal(await exec('cvt-web-1', ['cat', '/etc/app.conf']), 'debug = true\n');
  assert.match(await exec('cvt-web-1', ['grep', ' /scratch ', '/proc/mounts']), /tmpfs/);
  const denied = await d.docker(['exec', 'cvt-web-1', 'sh', '-c', 'echo x > /run/secrets/pw']);
  assert.notEqual(denied.code, 0, 'a file secret is mounted read-only');
  // The service alias and the network alias resolve on the back network.
  assert.match(await exec('cvt-web-1', ['nslookup', 'database']), /Address/);
});

test('network_mode service:<name> joins the named container', async () => {
  const dbId = (await ok(d.api('GET', '/containers/cvt-db-1/json'), 'inspect db')).Id as string;
  const plan = containerPlan(project, project.services.side, { number: 1, resolveServiceContainer: (s) => (s === 'db' ? dbId : undefined) });
  const id = await create(plan);
  const side = await ok(d.api('GET', `/containers/${id}/json`), 'inspect side');
  assert.equal(side.HostConfig.NetworkMode, `container:${dbId}`);
});

test('recreate: the replacement inherits the anonymous volume and is renamed after', async () => {
  const old = await ok(d.api('GET', '/containers/cvt-db-1/json'), 'inspect db');
  const anon = old.Mounts.find((m: any) => m.Destination === '/cache');
  assert.ok(anon?.Name, 'the anonymous volume has a name');
  await exec('cvt-db-1', ['sh', '-c', 'echo kept > /cache/f']);
  const changed = { ...project.services.db, environment: { CHANGED: '1' } };
  const plan = containerPlan(project, changed, { number: 1, replacing: { id: old.Id, mounts: old.Mounts } });
  assert.equal(plan.createName, `${old.Id.slice(0, 12)}_cvt-db-1`);
  assert.notEqual(plan.body.Labels, old.Config.Labels);
  // docker compose: create under the temporary name, stop and remove the old one, rename.
  const id = await create(plan);
  await ok(d.api('POST', `/containers/${old.Id}/stop?t=1`), 'stop old');
  // network_mode: service:db pointed at the old container; it goes first, as compose stops dependents.
  await ok(d.api('DELETE', `/containers/${(await ok(d.api('GET', '/containers/json?all=1&filters=' + encodeURIComponent(JSON.stringify({ label: ['com.docker.compose.service=side'] }))), 'list side'))[0].Id}?force=1`), 'remove side');
  await ok(d.api('DELETE', `/containers/${old.Id}`), 'remove old');
  await ok(d.api('POST', `/containers/${id}/rename?name=cvt-db-1`), 'rename');
  await ok(d.api('POST', `/containers/${id}/start`), 'start new');
  const now = await ok(d.api('GET', '/containers/cvt-db-1/json'), 'inspect new db');
  assert.equal(now.Config.Labels['com.docker.compose.replace'], old.Id);
  assert.equal(now.Mounts.find((m: any) => m.Destination === '/cache')?.Name, anon.Name);
  assert.equal(await exec('cvt-db-1', ['cat', '/cache/f']), 'kept\n');
});

test('run --rm: a one-off named <project>-<service>-run-<slug>, removed when it exits', async () => {
  const plan = runContainerPlan(project, project.services.web, { command: ['sh', '-c', 'cat /run/secrets/token'], autoRemove: true, tty: false, interactive: false }, { apiVersion: '1.50' });
  assert.match(plan.name, /^cvt-web-run-[0-9a-f]{12}$/);
  const id = await create(plan);
  const info = await ok(d.api('GET', `/containers/${id}/json`), 'inspect one-off');
  assert.equal(info.Config.Labels['com.docker.compose.oneoff'], 'True');
  assert.equal(info.HostConfig.AutoRemove, true);
  assert.equal(info.HostConfig.RestartPolicy.Name === '' || info.HostConfig.RestartPolicy.Name === 'no', true);
  assert.deepEqual(info.HostConfig.PortBindings ?? {}, {});
  await ok(d.api('POST', `/containers/${id}/start`), 'start one-off');
  await waitFor(async () => (await d.api('GET', `/containers/${id}/json`)).status === 404, 'one-off removed', 20_000);
});
