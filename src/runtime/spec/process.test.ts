import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withProcess } from './process.ts';
import { withUser } from './user.ts';
import type { SpecOpt } from './types.ts';

const apply = (...opts: SpecOpt[]) => applySpecOpts(baseSpec('c1', '/rootfs'), opts);

test('args, env defaults, cleaned cwd, terminal and its size', () => {
  const s = apply(withProcess({ args: ['sh'], env: ['A=1'], hostname: 'h', cwd: '/srv/./x/', terminal: true, consoleSize: [40, 120] }));
  assert.deepEqual(s.process.args, ['sh']);
  assert.deepEqual(s.process.env.slice(1), ['HOSTNAME=h', 'TERM=xterm', 'A=1']);
  assert.equal(s.process.cwd, '/srv/x');
  assert.deepEqual(s.process.consoleSize, { height: 40, width: 120 });
  assert.equal(apply(withProcess({ args: ['sh'], hostname: 'h', consoleSize: [40, 120] })).process.consoleSize, undefined);
});

test('no command, a relative cwd and NUL bytes are refused', () => {
  assert.throws(() => apply(withProcess({ args: [], hostname: 'h' })), /no command specified/);
  assert.throws(() => apply(withProcess({ args: ['sh'], hostname: 'h', cwd: 'rel' })), /needs to be an absolute path/);
  assert.throws(() => apply(withProcess({ args: ['a\0'], hostname: 'h' })), /contains a NUL byte/);
});

test('no-new-privileges and oom score', () => {
  const s = apply(withProcess({ args: ['sh'], hostname: 'h', noNewPrivileges: true, oomScoreAdj: 500 }));
  assert.equal(s.process.noNewPrivileges, true);
  assert.equal(s.process.oomScoreAdj, 500);
});

test('user: root by default, the resolved user otherwise', () => {
  assert.deepEqual(apply(withUser()).process.user, { uid: 0, gid: 0, additionalGids: [0] });
  assert.deepEqual(apply(withUser({ uid: 1, gid: 2, additionalGids: [2, 3], home: '/' })).process.user, { uid: 1, gid: 2, additionalGids: [2, 3] });
});
