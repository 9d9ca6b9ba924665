import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withInit } from './init.ts';
import { withProcess } from './process.ts';

test('the command runs under the init, whose binary is bound read-only', () => {
  const s = applySpecOpts(baseSpec('c', '/r'), [withProcess({ args: ['sleep', '1'], hostname: 'h' }), withInit('/usr/bin/tini-static')]);
  assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sleep', '1']);
  assert.deepEqual(s.mounts, [{ destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/tini-static', options: ['bind', 'ro'] }]);
});
