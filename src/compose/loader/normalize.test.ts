// Short syntaxes to the model's long forms, defaults and engine names, as compose-go normalises.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { load, tempProject } from './loader.test-helpers.ts';
import { parsePortSpec } from './ports.ts';
import { shellSplit } from './shell-split.ts';
import { parseVolumeSpec } from './volume-spec.ts';

test('ports short syntax: ranges, protocols, host IPs, IPv6, sorted as Go sorts port keys', () => {
  assert.deepEqual(parsePortSpec('80'), [{ mode: 'ingress', target: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePortSpec('8080:80/udp'), [{ mode: 'ingress', target: 80, protocol: 'udp', published: '8080' }]);
  assert.deepEqual(parsePortSpec('127.0.0.1:5000-5001:5000-5001'), [
    { mode: 'ingress', target: 5000, protocol: 'tcp', host_ip: '127.0.0.1', published: '5000' },
    { mode: 'ingress', target: 5001, protocol: 'tcp', host_ip: '127.0.0.1', published: '5001' },
  ]);
  assert.deepEqual(parsePortSpec('9000-9002:80'), [{ mode: 'ingress', target: 80, protocol: 'tcp', published: '9000-9002' }]);
  assert.deepEqual(parsePortSpec('[::1]:8080:80'), [{ mode: 'ingress', target: 80, protocol: 'tcp', host_ip: '::1', published: '8080' }]);
  assert.deepEqual(parsePortSpec('::1:8080:80'), [{ mode: 'ingress', target: 80, protocol: 'tcp', host_ip: '::1', published: '8080' }]);
  assert.deepEqual(parsePortSpec('98-100').map((p) => p.target), [100, 98, 99]);
  assert.throws(() => parsePortSpec('1.2.3:80:80'), { message: 'invalid IP address: 1.2.3' });
  assert.throws(() => parsePortSpec('80:'), { message: 'no port specified: 80:<empty>' });
  assert.throws(() => parsePortSpec('80-81:90-92'), { message: 'invalid ranges specified for container and host Ports: 90-92 and 80-81' });
  assert.throws(() => parsePortSpec('80/icmp'), { message: 'invalid proto: icmp' });
});

test('volumes short syntax: bind vs named vs anonymous, options', () => {
  assert.deepEqual(parseVolumeSpec('/data'), { type: 'volume', target: '/data', volume: {} });
  assert.deepEqual(parseVolumeSpec('data:/data:ro'), { type: 'volume', source: 'data', target: '/data', read_only: true, volume: {} });
  assert.deepEqual(parseVolumeSpec('data:/data:nocopy'), { type: 'volume', source: 'data', target: '/data', volume: { nocopy: true } });
  assert.deepEqual(parseVolumeSpec('./src:/src:ro,z'), { type: 'bind', source: './src', target: '/src', read_only: true, bind: { selinux: 'z', create_host_path: true } });
  assert.deepEqual(parseVolumeSpec('~/x:/x:rshared'), { type: 'bind', source: '~/x', target: '/x', bind: { propagation: 'rshared', create_host_path: true } });
  assert.throws(() => parseVolumeSpec('a::b'), { message: 'invalid spec: a::b: empty section between colons' });
  assert.throws(() => parseVolumeSpec('a:b:c:d'), { message: 'invalid spec: a:b:c:d: too many colons' });
});

test('command strings split like shellwords', () => {
  assert.deepEqual(shellSplit(`sh -c 'echo "$A" b' "x y" z\\ w`), ['sh', '-c', 'echo "$A" b', 'x y', 'z w']);
  assert.deepEqual(shellSplit(''), []);
  assert.throws(() => shellSplit('echo "open'), { message: 'invalid command line string: "echo \\"open"' });
});

test('a service normalised to the long forms', async () => {
  const t = tempProject({
    'compose.yaml': `services:
  web:
    build: .
    entrypoint: /bin/sh -c
    environment: [A=1, EMPTY=, FROMENV, UNSETVAR]
    env_file:
      - web.env
      - path: optional.env
        required: false
    expose: [3000, "4000"]
    volumes:
      - ./data:/data
      - ~/cache:/cache
      - type: bind
        source: ./conf
        target: /conf
        bind: {propagation: rslave}
      - type: tmpfs
        target: /tmp
        tmpfs: {size: 64m}
    extra_hosts:
      db: 10.0.0.2
      "ipv6.local": "::1"
    healthcheck:
      test: ["CMD", "true"]
      interval: 90s
      timeout: 1m
      start_period: 1500ms
    mem_limit: 1g
    shm_size: "64m"
    cpus: "0.5"
    stop_grace_period: 2m30s
    secrets: [pw]
    configs: [{source: cfg, target: /etc/cfg, mode: 0440}]
    deploy:
      resources:
        limits: {cpus: "1.5", memory: 256M, pids: 10}
      restart_policy: {condition: on-failure, delay: 5s}
    ulimits:
      nofile: {soft: 1024, hard: 2048}
      nproc: 65535
    devices: ["/dev/fuse"]
    links: ["db:database"]
    networks: [front]
    x-custom: {k: v}
  db:
    image: postgres
    network_mode: host
    healthcheck:
      disable: true
networks:
  front: {}
  outside: {external: true}
  named: {name: fixed}
secrets:
  pw: {file: ./pw.txt}
configs:
  cfg: {environment: CFG}
volumes:
  ext: {external: true, name: real}
`,
    'web.env': 'FROM_FILE=1\nA=overridden\n',
  }, 'normproj');
  try {
    const { project } = await load(t.dir, { env: { FROMENV: 'env-value' } });
    const web = project.services.web!;
    assert.deepEqual(web.build, { context: t.dir, dockerfile: 'Dockerfile' });
    assert.deepEqual(web.entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(web.environment, { FROM_FILE: '1', A: '1', EMPTY: '', FROMENV: 'env-value', UNSETVAR: null });
    assert.deepEqual(web.env_file, [{ path: path.join(t.dir, 'web.env'), required: true }, { path: path.join(t.dir, 'optional.env'), required: false }]);
    assert.deepEqual(web.expose, ['3000', '4000']);
    assert.deepEqual(web.volumes, [
      { type: 'bind', source: path.join(t.dir, 'data'), target: '/data', bind: { create_host_path: true } },
      { type: 'bind', source: '/home/u/cache', target: '/cache', bind: { create_host_path: true } },
      { type: 'bind', source: path.join(t.dir, 'conf'), target: '/conf', bind: { propagation: 'rslave', create_host_path: true } },
      { type: 'tmpfs', target: '/tmp', tmpfs: { size: 64 * 1024 * 1024 } },
    ]);
    assert.deepEqual(web.extra_hosts, ['db:10.0.0.2', 'ipv6.local:::1']);
    assert.deepEqual(web.healthcheck, { test: ['CMD', 'true'], interval: '1m30s', timeout: '1m0s', start_period: '1.5s' });
    assert.equal(web.mem_limit, 1024 ** 3);
    assert.equal(web.shm_size, 64 * 1024 * 1024);
    assert.equal(web.cpus, 0.5);
    assert.equal(web.stop_grace_period, '2m30s');
    assert.deepEqual(web.secrets, [{ source: 'pw' }]);
    assert.deepEqual(web.configs, [{ source: 'cfg', target: '/etc/cfg', mode: 0o440 }]);
    assert.deepEqual(web.deploy?.resources?.limits, { cpus: '1.5', memory: 256 * 1024 * 1024, pids: 10 });
    assert.deepEqual(web.deploy?.restart_policy, { condition: 'on-failure', delay: '5s' });
    assert.deepEqual(web.ulimits, { nofile: { soft: 1024, hard: 2048 }, nproc: { single: 65535 } });
    assert.deepEqual(web.devices, [{ source: '/dev/fuse', target: '/dev/fuse', permissions: 'rwm' }]);
    assert.deepEqual(web.depends_on, { db: { condition: 'service_started', restart: true, required: true } });
    assert.deepEqual(web.networks, { front: null });
    assert.deepEqual(web.extensions, { 'x-custom': { k: 'v' } });
    const db = project.services.db!;
    assert.equal(db.networks, undefined);
    assert.deepEqual(db.healthcheck, { test: ['NONE'], disable: true });
    assert.deepEqual(project.networks, { front: { name: 'normproj_front' }, outside: { name: 'outside', external: true }, named: { name: 'fixed' } });
    assert.deepEqual(project.volumes, { ext: { name: 'real', external: true } });
    assert.deepEqual(project.secrets, { pw: { name: 'normproj_pw', file: path.join(t.dir, 'pw.txt') } });
    assert.deepEqual(project.configs, { cfg: { name: 'normproj_cfg', environment: 'CFG' } });
  } finally {
    t.cleanup();
  }
});

test('env_file format raw: values as written', async () => {
  const t = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n    env_file: [{path: raw.env, format: raw}]\n', 'raw.env': '# c\nQ="quoted $X"\n' });
  try {
    const { project } = await load(t.dir);
    assert.deepEqual(project.services.a!.environment, { Q: '"quoted $X"' });
  } finally {
    t.cleanup();
  }
});

test('label_file labels under the service\'s own', async () => {
  const t = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n    label_file: l.txt\n    labels: {b: own}\n', 'l.txt': 'a=1\nb=file\n' });
  try {
    const { project } = await load(t.dir);
    assert.deepEqual(project.services.a!.labels, { a: '1', b: 'own' });
  } finally {
    t.cleanup();
  }
});

test('a required env_file that is missing', async () => {
  const t = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n    env_file: gone.env\n' });
  try {
    const p = path.join(t.dir, 'gone.env');
    await assert.rejects(load(t.dir), { message: `env file ${p} not found: stat ${p}: no such file or directory` });
  } finally {
    t.cleanup();
  }
});

test('implicit dependencies, build args from the environment, pull_policy if_not_present, local bind volumes', async () => {
  const t = tempProject({
    'compose.yaml': `services:
  a:
    image: x
    ipc: "service:b"
    volumes_from: [c, "container:other"]
    pull_policy: if_not_present
    build:
      context: .
      args: [FROMENV, UNSET, SET=1]
  b:
    image: x
  c:
    image: x
volumes:
  data:
    driver_opts: {type: none, o: bind, device: ./data}
`,
  });
  try {
    const { project } = await load(t.dir, { env: { FROMENV: 'e' } });
    const a = project.services.a!;
    assert.deepEqual(a.depends_on, { b: { condition: 'service_started', restart: true, required: true }, c: { condition: 'service_started', required: true } });
    assert.deepEqual(a.build?.args, { FROMENV: 'e', UNSET: null, SET: '1' });
    assert.equal(a.pull_policy, 'missing');
    assert.equal(project.volumes.data!.driver_opts?.device, path.join(t.dir, 'data'));
  } finally {
    t.cleanup();
  }
});

test('two services with one container_name', async () => {
  const t = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n    container_name: same\n  b:\n    image: x\n    container_name: same\n' });
  try {
    await assert.rejects(load(t.dir), { message: 'services.b: container name "same" is already in use by services.a' });
  } finally {
    t.cleanup();
  }
});

test('scale and deploy.replicas must agree', async () => {
  const t = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n    scale: 2\n    deploy: {replicas: 3}\n' });
  try {
    await assert.rejects(load(t.dir), { message: "services.a: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose project" });
  } finally {
    t.cleanup();
  }
});
