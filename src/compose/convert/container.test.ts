import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerPlan } from './container.ts';
import { serviceConfigHash } from './hash.ts';
import { makeProject } from './fixtures.test-helpers.ts';
import { ComposeError } from '../errors.ts';

type Body = Record<string, any>;

test('a plain service: the whole create body as docker compose v2 sends it (zero values left out)', () => {
  const p = makeProject({ web: { image: 'nginx:1.27', networks: { default: null } } });
  const plan = containerPlan(p, p.services.web, { number: 1 });
  assert.equal(plan.name, 'demo-web-1');
  assert.equal(plan.createName, 'demo-web-1');
  assert.deepEqual(plan.body, {
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Image: 'nginx:1.27',
    Labels: {
      'com.docker.compose.project': 'demo',
      'com.docker.compose.service': 'web',
      'com.docker.compose.version': '2.29.7',
      'com.docker.compose.project.working_dir': '/srv/demo',
      'com.docker.compose.project.config_files': '/srv/demo/compose.yaml',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.config-hash': serviceConfigHash(p.services.web),
      'com.docker.compose.container-number': '1',
      'com.docker.compose.depends_on': '',
    },
    HostConfig: { NetworkMode: 'demo_default' },
    NetworkingConfig: { EndpointsConfig: { demo_default: { Aliases: ['demo-web-1', 'web'] } } },
  });
  assert.deepEqual(plan.connectAfterCreate, []);
  assert.deepEqual(plan.files, []);
  assert.deepEqual(plan.warnings, []);
});

test('container_name names the container; the number still labels it', () => {
  const p = makeProject({ db: { image: 'postgres', container_name: 'my-db' } });
  const plan = containerPlan(p, p.services.db, { number: 3 });
  assert.equal(plan.name, 'my-db');
  assert.equal((plan.body as Body).Labels['com.docker.compose.container-number'], '3');
  assert.deepEqual((plan.body as Body).NetworkingConfig.EndpointsConfig.demo_default.Aliases, ['my-db', 'db']);
});

test('a build without image runs <project>-<service> (docker compose v2 default image name)', () => {
  const p = makeProject({ api: { build: { context: '/srv/demo/api' } } });
  assert.equal((containerPlan(p, p.services.api, { number: 1 }).body as Body).Image, 'demo-api');
});

test('labels: image ID, env files, the service labels (compose labels win), depends_on sorted', () => {
  const p = makeProject({
    web: {
      image: 'nginx',
      labels: { 'traefik.enable': 'true', 'com.docker.compose.project': 'spoofed' },
      depends_on: {
        redis: { condition: 'service_started', required: true },
        db: { condition: 'service_healthy', restart: true, required: true },
      },
    },
  });
  const labels = (containerPlan(p, p.services.web, { number: 2, imageId: 'sha256:1234', environmentFiles: ['/srv/demo/.env', '/srv/demo/x.env'] }).body as Body).Labels;
  assert.equal(labels['traefik.enable'], 'true');
  assert.equal(labels['com.docker.compose.project'], 'demo');
  assert.equal(labels['com.docker.compose.image'], 'sha256:1234');
  assert.equal(labels['com.docker.compose.project.environment_file'], '/srv/demo/.env,/srv/demo/x.env');
  assert.equal(labels['com.docker.compose.depends_on'], 'db:service_healthy:true,redis:service_started:false');
  assert.equal(labels['com.docker.compose.container-number'], '2');
});

test('Config fields: command, entrypoint, env sorted with bare names, user, workdir, tty, stop signal and timeout, hostname', () => {
  const p = makeProject({
    app: {
      image: 'busybox',
      command: ['sh', '-c', 'echo hi'],
      entrypoint: ['/init'],
      environment: { ZED: 'z', ALPHA: 'a=b', EMPTY: '', UNSET: null },
      user: '1000:1000',
      working_dir: '/work',
      tty: true,
      stdin_open: true,
      stop_signal: 'SIGINT',
      stop_grace_period: '1m30.9s',
      hostname: 'app',
      domainname: 'example.org',
      expose: ['3000', '4000-4001/udp'],
    },
  });
  const b = containerPlan(p, p.services.app, { number: 1 }).body as Body;
  assert.deepEqual(b.Cmd, ['sh', '-c', 'echo hi']);
  assert.deepEqual(b.Entrypoint, ['/init']);
  assert.deepEqual(b.Env, ['ALPHA=a=b', 'EMPTY=', 'UNSET', 'ZED=z']);
  assert.equal(b.User, '1000:1000');
  assert.equal(b.WorkingDir, '/work');
  assert.equal(b.Tty, true);
  assert.equal(b.OpenStdin, true);
  assert.equal(b.StdinOnce, false, 'StdinOnce only when stdin is attached (run -i)');
  assert.equal(b.StopSignal, 'SIGINT');
  assert.equal(b.StopTimeout, 90);
  assert.equal(b.Hostname, 'app');
  assert.equal(b.Domainname, 'example.org');
  assert.deepEqual(b.ExposedPorts, { '3000/tcp': {}, '4000/udp': {}, '4001/udp': {} });
});

test('command: [] is sent as an empty list (clears the image CMD), absent command is left out', () => {
  const p = makeProject({ a: { image: 'x', command: [] }, b: { image: 'x' } });
  assert.deepEqual((containerPlan(p, p.services.a, { number: 1 }).body as Body).Cmd, []);
  assert.equal('Cmd' in (containerPlan(p, p.services.b, { number: 1 }).body as Body), false);
});

test('HostConfig: the host keys map one to one', () => {
  const p = makeProject({
    s: {
      image: 'x',
      cap_add: ['NET_ADMIN'],
      cap_drop: ['ALL'],
      privileged: true,
      read_only: true,
      init: true,
      ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: { single: 65535 } },
      sysctls: { 'net.core.somaxconn': '1024' },
      extra_hosts: ['somehost:162.242.195.82', 'otherhost=50.31.209.229'],
      dns: ['8.8.8.8'],
      dns_search: ['example.com'],
      dns_opt: ['use-vc'],
      logging: { driver: 'json-file', options: { 'max-size': '10m' } },
      pid: 'host',
      ipc: 'shareable',
      shm_size: 67108864,
      devices: [{ source: '/dev/ttyUSB0', target: '/dev/ttyUSB0', permissions: 'rwm' }, { source: 'vendor.com/gpu=0', target: 'vendor.com/gpu=0', permissions: '' }],
      group_add: ['audio'],
      runtime: 'runc',
      userns_mode: 'host',
      cgroup_parent: 'm-executor-abcd',
      oom_score_adj: -500,
      tmpfs: ['/run', '/tmp:size=64m,mode=1777'],
      annotations: { 'com.example.note': 'x' },
      uts: 'host',
    },
  });
  const h = (containerPlan(p, p.services.s, { number: 1 }).body as Body).HostConfig;
  assert.deepEqual(h.CapAdd, ['NET_ADMIN']);
  assert.deepEqual(h.CapDrop, ['ALL']);
  assert.equal(h.Privileged, true);
  assert.equal(h.ReadonlyRootfs, true);
  assert.equal(h.Init, true);
  assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'nproc', Soft: 65535, Hard: 65535 }]);
  assert.deepEqual(h.Sysctls, { 'net.core.somaxconn': '1024' });
  assert.deepEqual(h.ExtraHosts, ['somehost:162.242.195.82', 'otherhost:50.31.209.229']);
  assert.deepEqual(h.Dns, ['8.8.8.8']);
  assert.deepEqual(h.DnsSearch, ['example.com']);
  assert.deepEqual(h.DnsOptions, ['use-vc']);
  assert.deepEqual(h.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m' } });
  assert.equal(h.PidMode, 'host');
  assert.equal(h.IpcMode, 'shareable');
  assert.equal(h.ShmSize, 67108864);
  assert.deepEqual(h.Devices, [{ PathOnHost: '/dev/ttyUSB0', PathInContainer: '/dev/ttyUSB0', CgroupPermissions: 'rwm' }]);
  assert.deepEqual(h.DeviceRequests, [{ Driver: 'cdi', DeviceIDs: ['vendor.com/gpu=0'] }]);
  assert.deepEqual(h.GroupAdd, ['audio']);
  assert.equal(h.Runtime, 'runc');
  assert.equal(h.UsernsMode, 'host');
  assert.equal(h.CgroupParent, 'm-executor-abcd');
  assert.equal(h.OomScoreAdj, -500);
  assert.deepEqual(h.Tmpfs, { '/run': '', '/tmp': 'size=64m,mode=1777' });
  assert.deepEqual(h.Annotations, { 'com.example.note': 'x' });
  assert.equal(h.UTSMode, 'host');
});

test('network_mode: host, none and service:<name> (resolved to the container, no endpoints)', () => {
  const p = makeProject({ vpn: { image: 'vpn' }, app: { image: 'app', network_mode: 'service:vpn' }, h: { image: 'x', network_mode: 'host' } });
  const plan = containerPlan(p, p.services.app, { number: 1, resolveServiceContainer: (s) => (s === 'vpn' ? 'c0ffee' : undefined) });
  assert.equal((plan.body as Body).HostConfig.NetworkMode, 'container:c0ffee');
  assert.equal('NetworkingConfig' in (plan.body as Body), false);
  assert.equal((containerPlan(p, p.services.h, { number: 1 }).body as Body).HostConfig.NetworkMode, 'host');
});

test('network_mode: disabled sets NetworkDisabled', () => {
  const p = makeProject({ a: { image: 'x', network_mode: 'disabled' } });
  const b = containerPlan(p, p.services.a, { number: 1 }).body as Body;
  assert.equal(b.NetworkDisabled, true);
  assert.equal(b.HostConfig.NetworkMode, 'disabled');
});

test('bad input: network_mode service:x for an unknown service, and for one without container', () => {
  const p = makeProject({ vpn: { image: 'vpn' }, app: { image: 'app', network_mode: 'service:nope' }, app2: { image: 'app', network_mode: 'service:vpn' } });
  assert.throws(() => containerPlan(p, p.services.app, { number: 1, resolveServiceContainer: () => 'x' }),
    (e: unknown) => e instanceof ComposeError && /service "app" refers to undefined service nope in network_mode/.test(e.message));
  assert.throws(() => containerPlan(p, p.services.app2, { number: 1, resolveServiceContainer: () => undefined }),
    /cannot share network namespace with service vpn: container missing/);
});

test('a one-off: oneoff=True, slug label, <project>-<service>-run-<slug[:12]>, aliases only the name', () => {
  const p = makeProject({ web: { image: 'nginx' } });
  const slug = 'abcdef0123456789'.repeat(4);
  const plan = containerPlan(p, p.services.web, { number: 1, oneOff: true, slug });
  assert.equal(plan.name, 'demo-web-run-abcdef012345');
  const b = plan.body as Body;
  assert.equal(b.Labels['com.docker.compose.oneoff'], 'True');
  assert.equal(b.Labels['com.docker.compose.slug'], slug);
  assert.deepEqual(b.NetworkingConfig.EndpointsConfig.demo_default.Aliases, ['demo-web-run-abcdef012345']);
  const random = containerPlan(p, p.services.web, { number: 1, oneOff: true });
  assert.match(random.name, /^demo-web-run-[0-9a-f]{12}$/);
  assert.match((random.body as Body).Labels['com.docker.compose.slug'], /^[0-9a-f]{64}$/);
});

test('recreate: created as <old id[:12]>_<name> with com.docker.compose.replace, aliases use the final name', () => {
  const p = makeProject({ web: { image: 'nginx' } });
  const old = '0123456789abcdef'.repeat(4);
  const plan = containerPlan(p, p.services.web, { number: 1, replacing: { id: old, mounts: [] } });
  assert.equal(plan.name, 'demo-web-1');
  assert.equal(plan.createName, '0123456789ab_demo-web-1');
  assert.equal((plan.body as Body).Labels['com.docker.compose.replace'], old);
  assert.deepEqual((plan.body as Body).NetworkingConfig.EndpointsConfig.demo_default.Aliases, ['demo-web-1', 'web']);
});

test('healthcheck: durations in nanoseconds, disable as NONE, start_interval needs API 1.44', () => {
  const p = makeProject({
    db: { image: 'pg', healthcheck: { test: ['CMD-SHELL', 'pg_isready'], interval: '1m30s', timeout: '500ms', start_period: '2s', start_interval: '1s', retries: 5 } },
    off: { image: 'x', healthcheck: { disable: true } },
  });
  assert.deepEqual((containerPlan(p, p.services.db, { number: 1 }).body as Body).Healthcheck, {
    Test: ['CMD-SHELL', 'pg_isready'], Interval: 90e9, Timeout: 500e6, StartPeriod: 2e9, StartInterval: 1e9, Retries: 5,
  });
  assert.deepEqual((containerPlan(p, p.services.off, { number: 1 }).body as Body).Healthcheck, { Test: ['NONE'] });
  assert.throws(() => containerPlan(p, p.services.db, { number: 1, apiVersion: '1.43' }), /can't set healthcheck.start_interval as feature require Docker Engine v25 or later/);
});

test('bad input: an invalid duration names the service and key', () => {
  const p = makeProject({ db: { image: 'pg', healthcheck: { interval: '10 seconds' } }, s: { image: 'x', stop_grace_period: 'soon' } });
  assert.throws(() => containerPlan(p, p.services.db, { number: 1 }), /service "db": healthcheck.interval: invalid duration "10 seconds"/);
  assert.throws(() => containerPlan(p, p.services.s, { number: 1 }), /service "s": stop_grace_period: invalid duration "soon"/);
});

test('mac_address: on API ≥ 1.44 it moves to the main endpoint; before, it is Config.MacAddress', () => {
  const p = makeProject({ s: { image: 'x', mac_address: '02:42:ac:11:00:02', networks: { default: null } } });
  const now = containerPlan(p, p.services.s, { number: 1 }).body as Body;
  assert.equal(now.MacAddress, undefined);
  assert.equal(now.NetworkingConfig.EndpointsConfig.demo_default.MacAddress, '02:42:ac:11:00:02');
  const old = containerPlan(p, p.services.s, { number: 1, apiVersion: '1.43' }).body as Body;
  assert.equal(old.MacAddress, '02:42:ac:11:00:02');
});

test('bad input: mac_address differing from the main network one, or on two networks before API 1.44', () => {
  const p = makeProject(
    {
      a: { image: 'x', mac_address: '02:00:00:00:00:01', networks: { front: { mac_address: '02:00:00:00:00:02' } } },
      b: { image: 'x', networks: { front: { mac_address: '02:00:00:00:00:01' }, back: { mac_address: '02:00:00:00:00:02' } } },
    },
    { networks: { front: { name: 'demo_front' }, back: { name: 'demo_back' } } },
  );
  assert.throws(() => containerPlan(p, p.services.a, { number: 1 }), /the service-level mac_address should have the same value as network front/);
  assert.throws(() => containerPlan(p, p.services.b, { number: 1, apiVersion: '1.43' }),
    /a MAC address is specified for multiple networks \(back, front\), but this feature requires Docker Engine 1.44 or later \(currently: 1.43\)/);
  assert.doesNotThrow(() => containerPlan(p, p.services.b, { number: 1, apiVersion: '1.44' }));
});

test('volumes_from: service and container references', () => {
  const p = makeProject({ data: { image: 'x' }, app: { image: 'x', volumes_from: ['data', 'service:data:ro', 'container:other:rw', 'container:plain'] } });
  const h = (containerPlan(p, p.services.app, { number: 1, resolveServiceContainer: () => 'feed' }).body as Body).HostConfig;
  assert.deepEqual(h.VolumesFrom, ['feed', 'feed:ro', 'other:rw', 'plain']);
  assert.throws(() => containerPlan(p, p.services.app, { number: 1 }), /cannot share volume with service data: container missing/);
});

test('links and external_links as docker compose v2 spells them', () => {
  const p = makeProject({ db: { image: 'pg' }, web: { image: 'x', links: ['db:database'], external_links: ['redis_1', 'project_db_1:mysql'] } });
  const plan = containerPlan(p, p.services.web, { number: 2, serviceContainerNames: (s) => (s === 'db' ? ['demo-db-1'] : []) });
  const expected = ['demo-db-1:database', 'demo-db-1:db-2', 'demo-db-1:demo-db-2', 'redis_1:redis_1', 'project_db_1:mysql'];
  assert.deepEqual((plan.body as Body).HostConfig.Links, expected);
  assert.deepEqual((plan.body as Body).NetworkingConfig.EndpointsConfig.demo_default.Links, expected);
});

test('security_opt: systempaths=unconfined empties the masked paths; key:value is kept', () => {
  const p = makeProject({ s: { image: 'x', security_opt: ['systempaths=unconfined', 'label:disable', 'no-new-privileges'] } });
  const h = (containerPlan(p, p.services.s, { number: 1 }).body as Body).HostConfig;
  assert.deepEqual(h.SecurityOpt, ['label:disable', 'no-new-privileges']);
  assert.deepEqual(h.MaskedPaths, []);
  assert.deepEqual(h.ReadonlyPaths, []);
});

test('run options: AutoRemove and AttachStdin/StdinOnce', () => {
  const p = makeProject({ s: { image: 'x', stdin_open: true } });
  const b = containerPlan(p, p.services.s, { number: 1, oneOff: true, autoRemove: true, attachStdin: true }).body as Body;
  assert.equal(b.HostConfig.AutoRemove, true);
  assert.equal(b.AttachStdin, true);
  assert.equal(b.StdinOnce, true);
});

test('proxy variables of the CLI config go under the service environment; platform from the service or DOCKER_DEFAULT_PLATFORM', () => {
  const p = makeProject({ s: { image: 'x', environment: { HTTP_PROXY: 'http://mine:3128' }, platform: 'linux/arm64' }, t: { image: 'x' } }, { environment: { DOCKER_DEFAULT_PLATFORM: 'linux/amd64' } });
  const plan = containerPlan(p, p.services.s, { number: 1, proxyEnvironment: { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost' } });
  assert.deepEqual((plan.body as Body).Env, ['HTTP_PROXY=http://mine:3128', 'NO_PROXY=localhost']);
  assert.equal(plan.platform, 'linux/arm64');
  assert.equal(containerPlan(p, p.services.t, { number: 1 }).platform, 'linux/amd64');
  assert.equal(containerPlan(makeProject({ u: { image: 'x' } }), makeProject({ u: { image: 'x' } }).services.u, { number: 1 }).platform, undefined);
});

test('bad input: a link to a service the project does not define', () => {
  const p = makeProject({ web: { image: 'x', links: ['ghost:db'] } });
  assert.throws(() => containerPlan(p, p.services.web, { number: 1 }), /service "web" refers to undefined service ghost in links: invalid compose project/);
});

test('the project and service handed in are not changed', () => {
  const p = makeProject(
    {
      db: { image: 'pg' },
      web: {
        image: 'x',
        volumes: [{ type: 'volume', target: '/anon' }, { type: 'volume', source: 'data', target: '/data' }],
        networks: { default: null, back: { aliases: ['a'], priority: 2 } },
        mac_address: '02:00:00:00:00:09',
        volumes_from: ['db'],
        network_mode: undefined,
        environment: { A: '1' },
        secrets: [{ source: 's' }],
      },
    },
    { networks: { default: { name: 'demo_default' }, back: { name: 'demo_back' } }, volumes: { data: { name: 'demo_data' } }, secrets: { s: { name: 's', content: 'x' } } },
  );
  const before = structuredClone(p);
  containerPlan(p, p.services.web, { number: 1, replacing: { id: 'f'.repeat(64), mounts: [{ Type: 'volume', Name: 'old', Destination: '/anon', RW: true }] }, resolveServiceContainer: () => 'id', proxyEnvironment: { HTTP_PROXY: 'p' } });
  assert.deepEqual(p, before);
});
