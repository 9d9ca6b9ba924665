import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartManager, isNoRestart, parseRestartPolicy } from './restart-policy.ts';
import type { RestartPolicy } from './restart-policy.ts';

// Docker's TestValidateRestartPolicy table (api/types/container/hostconfig_test.go).
const parseCases: [string, unknown, string][] = [
  ['empty', {}, ''],
  ['empty with MaxRestartCount (backward compatibility)', { MaximumRetryCount: 123 }, ''],
  ['empty with negative MaxRestartCount (backward compatibility)', { MaximumRetryCount: -123 }, ''],
  ['always', { Name: 'always' }, ''],
  ['always with MaxRestartCount', { Name: 'always', MaximumRetryCount: 123 }, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
  ['always with negative MaxRestartCount', { Name: 'always', MaximumRetryCount: -123 }, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative"],
  ['unless-stopped', { Name: 'unless-stopped' }, ''],
  ['unless-stopped with MaxRestartCount', { Name: 'unless-stopped', MaximumRetryCount: 123 }, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
  ['unless-stopped with negative MaxRestartCount', { Name: 'unless-stopped', MaximumRetryCount: -123 }, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative"],
  ['no', { Name: 'no' }, ''],
  ['no with MaxRestartCount', { Name: 'no', MaximumRetryCount: 123 }, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
  ['no with negative MaxRestartCount', { Name: 'no', MaximumRetryCount: -123 }, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative"],
  ['on-failure', { Name: 'on-failure' }, ''],
  ['on-failure with MaxRestartCount', { Name: 'on-failure', MaximumRetryCount: 123 }, ''],
  ['on-failure with negative MaxRestartCount', { Name: 'on-failure', MaximumRetryCount: -123 }, 'invalid restart policy: maximum retry count cannot be negative'],
  ['unknown policy', { Name: 'unknown' }, "invalid restart policy: unknown policy 'unknown'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
  ['undefined', undefined, ''],
  ['not an object', 'always', 'invalid restart policy: expected an object'],
  ['Name not a string', { Name: 3 }, 'invalid restart policy: Name must be a string'],
  ['count not an integer', { Name: 'on-failure', MaximumRetryCount: 1.5 }, 'invalid restart policy: MaximumRetryCount must be an integer'],
  ['count a string', { Name: 'on-failure', MaximumRetryCount: '3' }, 'invalid restart policy: MaximumRetryCount must be an integer'],
];
for (const [name, input, err] of parseCases) {
  test(`parseRestartPolicy: ${name}`, () => {
    if (err) assert.throws(() => parseRestartPolicy(input), (e: any) => e.kind === 'InvalidParameter' && e.message === err);
    else parseRestartPolicy(input);
  });
}

test('parseRestartPolicy normalises', () => {
  assert.deepEqual(parseRestartPolicy({ Name: 'on-failure', MaximumRetryCount: 3 }), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(parseRestartPolicy({ Name: 'always' }), { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy(undefined), { Name: '', MaximumRetryCount: 0 });
});

test("AutoRemove is refused with any policy but no, with Docker's message", () => {
  for (const Name of ['always', 'unless-stopped', 'on-failure', 'bogus']) {
    assert.throws(() => parseRestartPolicy({ Name }, true), {
      message: "can't create 'AutoRemove' container with restart policy",
    });
  }
  parseRestartPolicy({ Name: 'no' }, true);
  parseRestartPolicy({ Name: '' }, true);
  parseRestartPolicy(undefined, true);
});

test('isNoRestart', () => {
  assert.equal(isNoRestart({ Name: '' }), true);
  assert.equal(isNoRestart({ Name: 'no' }), true);
  assert.equal(isNoRestart({}), true);
  assert.equal(isNoRestart({ Name: 'always' }), false);
});

const P = (Name: RestartPolicy['Name'], MaximumRetryCount = 0): RestartPolicy => ({ Name, MaximumRetryCount });

test('backoff: 100 ms doubling, capped at 1 minute (moby TestRestartManagerTimeout)', () => {
  const rm = new RestartManager(P('always'));
  const delays: number[] = [];
  for (let i = 0; i < 14; i++) {
    const d = rm.shouldRestart(0, false, 1000);
    assert.equal(d.restart, true);
    delays.push(d.delayMs);
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000, 60000]);
  assert.equal(rm.restartCount, 14);
});

test('backoff resets after a run of 10 s or more (moby TestRestartManagerTimeoutReset)', () => {
  const rm = new RestartManager(P('always'));
  for (let i = 0; i < 5; i++) rm.shouldRestart(1, false, 500);
  assert.equal(rm.shouldRestart(1, false, 9_999).delayMs, 3200);
  assert.equal(rm.shouldRestart(1, false, 10_000).delayMs, 100);
  assert.equal(rm.shouldRestart(1, false, 1).delayMs, 200);
});

const decisions: [string, RestartPolicy, number, boolean, boolean][] = [
  ['no, failure', P('no'), 1, false, false],
  ['empty name, failure', P(''), 1, false, false],
  ['always, success', P('always'), 0, false, true],
  ['always, failure', P('always'), 1, false, true],
  ['always, manual stop', P('always'), 137, true, false],
  ['unless-stopped, success', P('unless-stopped'), 0, false, true],
  ['unless-stopped, manual stop', P('unless-stopped'), 143, true, false],
  ['on-failure, success', P('on-failure'), 0, false, false],
  ['on-failure, failure', P('on-failure'), 1, false, true],
  ['on-failure, manual stop', P('on-failure'), 143, true, false],
];
for (const [name, policy, code, manual, want] of decisions) {
  test(`shouldRestart: ${name}`, () => {
    assert.equal(new RestartManager(policy).shouldRestart(code, manual, 100).restart, want);
  });
}

test('on-failure respects MaximumRetryCount, counting from the persisted count', () => {
  const rm = new RestartManager(P('on-failure', 3));
  assert.deepEqual([1, 2, 3, 4].map(() => rm.shouldRestart(1, false, 10).restart), [true, true, true, false]);
  assert.equal(rm.restartCount, 3);
  const resumed = new RestartManager(P('on-failure', 3), 2);
  assert.equal(resumed.shouldRestart(1, false, 10).restart, true);
  assert.equal(resumed.shouldRestart(1, false, 10).restart, false);
  // 0 means unlimited.
  const unlimited = new RestartManager(P('on-failure', 0), 1000);
  assert.equal(unlimited.shouldRestart(1, false, 10).restart, true);
});

test('cancel stops restarts; reset re-arms and clears the count', () => {
  const rm = new RestartManager(P('always'));
  rm.shouldRestart(1, false, 10);
  rm.shouldRestart(1, false, 10);
  rm.cancel();
  assert.equal(rm.canceled, true);
  assert.deepEqual(rm.shouldRestart(1, false, 10), { restart: false, delayMs: 0 });
  rm.reset();
  assert.equal(rm.restartCount, 0);
  assert.deepEqual(rm.shouldRestart(1, false, 10), { restart: true, delayMs: 100 });
  rm.reset(false);
  assert.equal(rm.restartCount, 1);
});

test('setPolicy takes effect on the next exit', () => {
  const rm = new RestartManager(P('no'));
  assert.equal(rm.shouldRestart(1, false, 10).restart, false);
  rm.setPolicy(P('on-failure'));
  assert.equal(rm.shouldRestart(1, false, 10).restart, true);
  assert.deepEqual(rm.policy, P('on-failure'));
});

test('wait resolves true after the delay, false when cancelled first', async () => {
  const rm = new RestartManager(P('always'));
  const t0 = Date.now();
  assert.equal(await rm.wait(30), true);
  assert.ok(Date.now() - t0 >= 25);
  const pending = rm.wait(10_000);
  rm.cancel();
  assert.equal(await pending, false);
  assert.equal(await rm.wait(0), false);
});
