import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCommit, type CommitOptions } from './commit.ts';

const base: CommitOptions = {
  containerConfig: {
    Hostname: 'abc', User: 'app', Env: ['PATH=/bin', 'HOME=/root'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/srv',
    ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} }, Labels: { a: '1' }, StopSignal: 'SIGTERM',
    Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9, Retries: 3 },
  },
  changes: [], author: '', comment: '', containerId: 'c', parentImageId: 'sha256:x',
};

test('no body and no changes: the container config as is', () => {
  const { config, ref } = planCommit(base);
  assert.equal(ref, undefined);
  assert.deepEqual(config.Cmd, ['sh']);
  assert.deepEqual(config.Env, ['PATH=/bin', 'HOME=/root']);
  assert.equal(config.User, 'app');
  assert.equal(config.Hostname, 'abc');
});

test('changes apply on the container config, then merge() fills the rest', () => {
  const { config } = planCommit({ ...base, changes: ['ENV HOME=/home/x', 'EXPOSE 443', 'LABEL b=2', 'VOLUME /logs', 'USER root'] });
  assert.deepEqual(config.Env, ['PATH=/bin', 'HOME=/home/x']);
  assert.deepEqual(config.ExposedPorts, { '80/tcp': {}, '443/tcp': {} });
  assert.deepEqual(config.Labels, { a: '1', b: '2' });
  assert.deepEqual(config.Volumes, { '/data': {}, '/logs': {} });
  assert.equal(config.User, 'root');
});

test('a body config is the start: what it leaves out comes from the container (moby merge)', () => {
  const { config } = planCommit({ ...base, config: { Cmd: ['echo', 'x'], Env: ['HOME=/body'], Healthcheck: { Interval: 5e9 } } });
  assert.deepEqual(config.Cmd, ['echo', 'x']);
  assert.deepEqual(config.Env, ['HOME=/body', 'PATH=/bin'], 'image env keys the body lacks are appended');
  assert.equal(config.WorkingDir, '/srv');
  assert.equal(config.User, 'app');
  assert.deepEqual(config.ExposedPorts, { '80/tcp': {} });
  assert.equal(config.StopSignal, 'SIGTERM');
  assert.deepEqual(config.Healthcheck, { Test: ['CMD', 'true'], Interval: 5e9, Retries: 3 });
});

test('an ENTRYPOINT change keeps the container Cmd out (moby: Cmd from the image only when both are empty)', () => {
  const { config } = planCommit({ ...base, changes: ['ENTRYPOINT ["/app"]'] });
  assert.deepEqual(config.Entrypoint, ['/app']);
  assert.equal(config.Cmd, null);
  const both = planCommit({ ...base, config: { Entrypoint: [] } }).config;
  assert.deepEqual(both.Cmd, ['sh'], 'an empty entrypoint takes the container Cmd');
  assert.deepEqual(both.Entrypoint, [], 'and keeps the empty (non-nil) entrypoint');
});

test('the reference: repo and tag as the API passes them; bad ones refused before any work', () => {
  assert.equal(planCommit({ ...base, repo: 'my/img' }).ref?.tag, 'latest');
  assert.equal(planCommit({ ...base, repo: 'my/img', tag: 'v2' }).ref?.tag, 'v2');
  assert.throws(() => planCommit({ ...base, repo: 'Bad' }), { kind: 'InvalidParameter', message: /invalid reference format/ });
  assert.throws(() => planCommit({ ...base, repo: 'ok', tag: 'b@d' }), { kind: 'InvalidParameter' });
  assert.throws(() => planCommit({ ...base, repo: `x@sha256:${'a'.repeat(64)}` }), { kind: 'InvalidParameter', message: 'cannot import digest reference' });
  assert.throws(() => planCommit({ ...base, changes: ['FROM x'] }), { kind: 'InvalidParameter', message: 'from is not a valid change command' });
});
