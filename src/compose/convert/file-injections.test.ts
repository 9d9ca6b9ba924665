import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileInjections, injectionTar } from './file-injections.ts';
import { containerPlan } from './container.ts';
import { makeProject } from './fixtures.test-helpers.ts';

const project = makeProject(
  {
    s: {
      image: 'x',
      secrets: [{ source: 'token' }, { source: 'inline', target: 'api.key', uid: '1000', gid: '1001', mode: 0o400 }, { source: 'onfile' }],
      configs: [{ source: 'appconf' }, { source: 'appconf', target: '/etc/app/app.conf' }],
    },
    bad: { image: 'x', secrets: [{ source: 'unset' }] },
    badid: { image: 'x', secrets: [{ source: 'token', uid: 'root' }] },
  },
  {
    environment: { TOKEN: 's3cret' },
    secrets: { token: { name: 'token', environment: 'TOKEN' }, inline: { name: 'inline', content: 'k3y' }, onfile: { name: 'onfile', file: '/dev/null' }, unset: { name: 'unset', environment: 'NOPE' } },
    configs: { appconf: { name: 'appconf', content: 'debug = true\n' } },
  },
);

test('environment and content secrets/configs are files to copy in; file ones are not', () => {
  assert.deepEqual(fileInjections(project, project.services.s), [
    { target: '/run/secrets/token', content: Buffer.from('s3cret'), mode: 0o444, uid: 0, gid: 0, copyUIDGID: false },
    { target: '/run/secrets/api.key', content: Buffer.from('k3y'), mode: 0o400, uid: 1000, gid: 1001, copyUIDGID: true },
    { target: '/appconf', content: Buffer.from('debug = true\n'), mode: 0o444, uid: 0, gid: 0, copyUIDGID: false },
    { target: '/etc/app/app.conf', content: Buffer.from('debug = true\n'), mode: 0o444, uid: 0, gid: 0, copyUIDGID: false },
  ]);
  const plan = containerPlan(project, project.services.s, { number: 1 });
  assert.equal(plan.files.length, 4);
  assert.deepEqual((plan.body as Record<string, any>).HostConfig.Mounts, [{ Type: 'bind', Source: '/dev/null', Target: '/run/secrets/onfile', ReadOnly: true }]);
});

test('bad input: an unset environment variable, a non-numeric uid', () => {
  assert.throws(() => fileInjections(project, project.services.bad), /environment variable "NOPE" required by secret "unset" is not set/);
  assert.throws(() => fileInjections(project, project.services.badid), /service "badid": secret uid must be a number: "root"/);
});

test('the archive to put: one file at its target, with mode and owner', async () => {
  const { readTar } = await import('../../common/index.ts');
  const { Readable } = await import('node:stream');
  const tar = await injectionTar({ target: '/run/secrets/api.key', content: Buffer.from('k3y'), mode: 0o400, uid: 1000, gid: 1001, copyUIDGID: true });
  const entries: { name: string; mode: number; uid: number; gid: number; data: string }[] = [];
  for await (const e of readTar(Readable.from(tar))) {
    const chunks: Buffer[] = [];
    for await (const c of e.body()) chunks.push(Buffer.from(c));
    entries.push({ name: e.name, mode: e.mode, uid: e.uid, gid: e.gid, data: Buffer.concat(chunks).toString() });
  }
  assert.deepEqual(entries, [{ name: 'run/secrets/api.key', mode: 0o400, uid: 1000, gid: 1001, data: 'k3y' }]);
});

test('bad input: an environment/content secret in a read-only service (it cannot be copied in)', () => {
  const p = makeProject({ ro: { image: 'x', read_only: true, secrets: [{ source: 'inline' }] } }, { secrets: { inline: { name: 'inline', content: 'k' } } });
  assert.throws(() => fileInjections(p, p.services.ro), /cannot create secret "inline" in read-only service ro: `file` is the sole supported option/);
});
