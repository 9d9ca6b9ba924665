import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runContainerPlan, applyRunOverrides } from './run.ts';
import { parseRunVolume } from './run-options.ts';
import { makeProject } from './fixtures.test-helpers.ts';
import type { ServiceConfig } from '../types.ts';

type Body = Record<string, any>;
const slug = '1234567890abcdef'.repeat(4);

const project = makeProject(
  {
    web: {
      image: 'nginx',
      container_name: 'fixed-name',
      command: ['nginx'],
      environment: { KEEP: 'k', OVER: 'old' },
      ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
      restart: 'always',
      deploy: { replicas: 3, restart_policy: { condition: 'any' } },
      labels: { a: '1' },
      cap_add: ['NET_ADMIN'],
      volumes: [{ type: 'volume', target: '/cache' }],
    },
  },
  { environment: { FROM_ENV: 'yes' } },
);

test('run: a one-off with no ports, no restart policy, TTY and stdin, oneoff labels, container-number 1', () => {
  const plan = runContainerPlan(project, project.services.web, {}, { slug });
  assert.equal(plan.name, 'demo-web-run-1234567890ab', 'the service container_name does not apply to run');
  const b = plan.body as Body;
  assert.equal(b.Tty, true);
  assert.equal(b.OpenStdin, true);
  assert.equal(b.AttachStdin, true);
  assert.equal(b.StdinOnce, true);
  assert.equal(b.ExposedPorts, undefined);
  assert.equal(b.HostConfig.PortBindings, undefined);
  assert.equal(b.HostConfig.RestartPolicy, undefined);
  assert.equal(b.HostConfig.AutoRemove, undefined);
  assert.equal(b.Labels['com.docker.compose.oneoff'], 'True');
  assert.equal(b.Labels['com.docker.compose.slug'], slug);
  assert.equal(b.Labels['com.docker.compose.container-number'], '1');
  assert.deepEqual(b.NetworkingConfig.EndpointsConfig.demo_default.Aliases, ['demo-web-run-1234567890ab']);
  assert.deepEqual(b.Cmd, ['nginx']);
});

test('run overrides: command, entrypoint, env, user, workdir, name, labels, caps, --rm, -T, --use-aliases', () => {
  const plan = runContainerPlan(project, project.services.web, {
    command: ['sh', '-c', 'env'],
    environment: ['OVER=new', 'FROM_ENV', 'NOT_SET', 'EXTRA=x'],
    user: 'nobody',
    workdir: '/tmp',
    name: 'one-shot',
    labels: ['b=2', 'flag'],
    capAdd: ['SYS_TIME'],
    capDrop: ['NET_ADMIN'],
    autoRemove: true,
    tty: false,
    interactive: false,
    useAliases: true,
  }, { slug });
  const b = plan.body as Body;
  assert.equal(plan.name, 'one-shot');
  assert.deepEqual(b.Cmd, ['sh', '-c', 'env']);
  assert.deepEqual(b.Env, ['EXTRA=x', 'FROM_ENV=yes', 'KEEP=k', 'OVER=new']);
  assert.equal(b.User, 'nobody');
  assert.equal(b.WorkingDir, '/tmp');
  assert.equal(b.Labels.a, '1');
  assert.equal(b.Labels.b, '2');
  assert.equal(b.Labels.flag, '');
  assert.deepEqual(b.HostConfig.CapAdd, ['SYS_TIME']);
  assert.deepEqual(b.HostConfig.CapDrop, ['NET_ADMIN']);
  assert.equal(b.HostConfig.AutoRemove, true);
  assert.equal(b.Tty, false);
  assert.equal(b.AttachStdin, false);
  assert.deepEqual(b.NetworkingConfig.EndpointsConfig.demo_default.Aliases, ['one-shot', 'web']);
});

test('run --entrypoint clears the service command unless a command is given', () => {
  const s = applyRunOverrides(project, project.services.web, { entrypoint: ['/bin/sh'] });
  assert.deepEqual(s.entrypoint, ['/bin/sh']);
  assert.deepEqual(s.command, []);
  const t = applyRunOverrides(project, project.services.web, { entrypoint: ['/bin/sh'], command: ['-c', 'true'] });
  assert.deepEqual(t.command, ['-c', 'true']);
  assert.deepEqual(project.services.web.command, ['nginx'], 'the project is not changed');
});

test('run --service-ports publishes the service ports; --publish publishes only its own', () => {
  const withPorts = runContainerPlan(project, project.services.web, { servicePorts: true }, { slug }).body as Body;
  assert.deepEqual(withPorts.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  const published = runContainerPlan(project, project.services.web, { publish: ['9090:90'] }, { slug }).body as Body;
  assert.deepEqual(published.HostConfig.PortBindings, { '90/tcp': [{ HostIp: '', HostPort: '9090' }] });
});

test('bad input: --service-ports with --publish', () => {
  assert.throws(() => applyRunOverrides(project, project.services.web, { servicePorts: true, publish: ['80'] }), /--service-ports and --publish are incompatible/);
});

test('run -v: binds (relative to cwd, created when missing), named and anonymous volumes, added to the service ones', () => {
  const plan = runContainerPlan(project, project.services.web, { volumes: ['./src:/src:ro', 'cache:/var/cache', '/tmp/x:/x:z', '/scratch'], cwd: '/home/me/app' }, { slug });
  const h = (plan.body as Body).HostConfig;
  assert.deepEqual(h.Binds, ['/home/me/app/src:/src:ro', '/tmp/x:/x:rw,z']);
  assert.deepEqual(h.Mounts, [{ Type: 'volume', Target: '/cache' }, { Type: 'volume', Source: 'cache', Target: '/var/cache' }, { Type: 'volume', Target: '/scratch' }]);
});

test('run -v parsing: options and bad input', () => {
  assert.deepEqual(parseRunVolume('~/conf:/conf:rshared', '/cwd', '/home/me'), { type: 'bind', source: '/home/me/conf', target: '/conf', bind: { create_host_path: true, propagation: 'rshared' } });
  assert.deepEqual(parseRunVolume('data:/data:nocopy', '/cwd'), { type: 'volume', source: 'data', target: '/data', volume: { nocopy: true } });
  assert.throws(() => parseRunVolume('data:relative', '/cwd'), /mount path must be absolute/);
  assert.throws(() => parseRunVolume('a::b', '/cwd'), /empty section between colons/);
  assert.throws(() => parseRunVolume('/a:/b:bogus', '/cwd'), /unknown option "bogus"/);
  assert.throws(() => parseRunVolume('data:/d:z', '/cwd'), /bind options on a named volume/);
});

test('run: the restart policy of deploy goes too, replicas do not matter', () => {
  const s: ServiceConfig = applyRunOverrides(project, project.services.web, {});
  assert.equal(s.restart, undefined);
  assert.equal(s.deploy?.restart_policy, undefined);
  assert.equal(s.scale, 1);
  assert.equal(project.services.web.deploy?.restart_policy?.condition, 'any');
});
