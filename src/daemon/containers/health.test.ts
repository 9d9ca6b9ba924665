import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyProbeResult, execDieCode, formatGoDuration, healthTimings, logEntryOf, mergeHealthConfig, nextProbeDelayNs, probeAction, probeCommand,
  startingHealth, validateHealthConfig, type HealthLogEntry, type HealthState,
} from './health.ts';

const MS = 1_000_000;
const S = 1000 * MS;
const STARTED = '2026-01-01T00:00:00Z';
const at = (seconds: number) => new Date(Date.parse(STARTED) + seconds * 1000).toISOString();
const entry = (exitCode: number, startSeconds = 100): HealthLogEntry => ({ Start: at(startSeconds), End: at(startSeconds + 0.1), ExitCode: exitCode, Output: '' });

test('the probe command: CMD runs its arguments, CMD-SHELL through the container\'s shell or /bin/sh -c, NONE and unknown types run nothing', () => {
  assert.deepEqual(probeCommand({ Test: ['CMD', 'true'] }, null), ['true']);
  assert.deepEqual(probeCommand({ Test: ['CMD-SHELL', 'exit 1'] }, null), ['/bin/sh', '-c', 'exit 1']);
  assert.deepEqual(probeCommand({ Test: ['CMD-SHELL', 'exit 1'] }, ['/bin/ash', '-e', '-c']), ['/bin/ash', '-e', '-c', 'exit 1']);
  assert.equal(probeCommand({ Test: ['NONE'] }, null), undefined);
  assert.equal(probeCommand({ Test: ['WHAT', 'x'] }, null), undefined);
  assert.equal(probeCommand({ Test: [] }, null), undefined);
  assert.equal(probeCommand({ Interval: S }, null), undefined);
  assert.equal(probeCommand(undefined, null), undefined);
  assert.equal(probeCommand({ Test: ['CMD'] }, null), undefined);
});

test('the exec events\' action text is dockerd\'s Entrypoint + " " + Args (a trailing space without args)', () => {
  assert.equal(probeAction(['true']), 'true ');
  assert.equal(probeAction(['/bin/sh', '-c', 'echo hi; true']), '/bin/sh -c echo hi; true');
});

test('create-time checks with moby\'s messages: below 1ms (not 0) and negative retries are refused', () => {
  validateHealthConfig(undefined);
  validateHealthConfig({ Test: ['CMD', 'true'], Interval: 0, Timeout: MS, Retries: 0, StartPeriod: 0, StartInterval: MS });
  assert.throws(() => validateHealthConfig({ Interval: -10 * MS }), { message: 'Interval in Healthcheck cannot be less than 1ms' });
  assert.throws(() => validateHealthConfig({ Interval: 500_000 }), { message: 'Interval in Healthcheck cannot be less than 1ms' });
  assert.throws(() => validateHealthConfig({ Timeout: -100 * MS }), { message: 'Timeout in Healthcheck cannot be less than 1ms' });
  assert.throws(() => validateHealthConfig({ Retries: -10 }), { message: 'Retries in Healthcheck cannot be negative' });
  assert.throws(() => validateHealthConfig({ StartPeriod: 100 }), { message: 'StartPeriod in Healthcheck cannot be less than 1ms' });
  assert.throws(() => validateHealthConfig({ StartInterval: 999_999 }), { message: 'StartInterval in Healthcheck cannot be less than 1ms' });
  assert.throws(() => validateHealthConfig({ Interval: 1 }), (err: { kind?: string }) => err.kind === 'InvalidParameter');
});

test('the image\'s healthcheck fills what the container\'s leaves out (moby merge)', () => {
  const image = { Test: ['CMD-SHELL', 'echo img'], Interval: 400 * MS, Retries: 2 };
  assert.deepEqual(mergeHealthConfig(undefined, image), image);
  assert.deepEqual(mergeHealthConfig({ Retries: 7 }, image), { Test: ['CMD-SHELL', 'echo img'], Interval: 400 * MS, Retries: 7 });
  assert.deepEqual(mergeHealthConfig({ Test: ['NONE'] }, image), { Test: ['NONE'], Interval: 400 * MS, Retries: 2 });
  assert.deepEqual(mergeHealthConfig({ Test: ['CMD', 'true'] }, undefined), { Test: ['CMD', 'true'] });
  assert.equal(mergeHealthConfig(undefined, null), undefined);
});

test('Docker\'s defaults: 30s interval and timeout, no start period, 5s start interval, 3 retries', () => {
  assert.deepEqual(healthTimings({ Test: ['CMD', 'true'] }), { intervalNs: 30 * S, timeoutNs: 30 * S, startPeriodNs: 0, startIntervalNs: 5 * S, retries: 3 });
  assert.deepEqual(healthTimings({ Interval: S, Timeout: 2 * S, StartPeriod: 3 * S, StartInterval: 4 * S, Retries: 5 }),
    { intervalNs: S, timeoutNs: 2 * S, startPeriodNs: 3 * S, startIntervalNs: 4 * S, retries: 5 });
});

test('a success is healthy with no streak; failures count to `retries`, then unhealthy; the status change is reported once', () => {
  const h = startingHealth(undefined);
  const t = { retries: 2, startPeriodNs: 0 };
  assert.equal(applyProbeResult(h, entry(1), t, STARTED), false);
  assert.deepEqual([h.Status, h.FailingStreak], ['starting', 1]);
  assert.equal(applyProbeResult(h, entry(3), t, STARTED), true);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 2]);
  assert.equal(applyProbeResult(h, entry(-1), t, STARTED), false);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 3]);
  assert.equal(applyProbeResult(h, entry(0), t, STARTED), true);
  assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
  assert.equal(applyProbeResult(h, entry(0), t, STARTED), false);
  // Healthy then failing: stays healthy until the streak reaches retries.
  assert.equal(applyProbeResult(h, entry(1), t, STARTED), false);
  assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 1]);
});

test('the start period: failures while starting do not count, unless the probe began after it; after a success they do', () => {
  const t = { retries: 1, startPeriodNs: 10 * S };
  const h = startingHealth(undefined);
  assert.equal(applyProbeResult(h, entry(1, 2), t, STARTED), false);
  assert.deepEqual([h.Status, h.FailingStreak], ['starting', 0]);
  assert.equal(applyProbeResult(h, entry(1, 11), t, STARTED), true);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 1]);
  const h2 = startingHealth(undefined);
  applyProbeResult(h2, entry(0, 1), t, STARTED);
  assert.equal(applyProbeResult(h2, entry(1, 2), t, STARTED), true, 'healthy within the start period: a failure counts');
  assert.equal(h2.Status, 'unhealthy');
});

test('the log keeps the last five results, oldest first; a restart keeps it with the status back to starting', () => {
  const h: HealthState = startingHealth(undefined);
  for (let i = 0; i < 7; i++) applyProbeResult(h, { ...entry(0), Output: String(i) }, { retries: 3, startPeriodNs: 0 }, STARTED);
  assert.deepEqual(h.Log.map((e) => e.Output), ['2', '3', '4', '5', '6']);
  const again = startingHealth({ ...h, Status: 'unhealthy', FailingStreak: 4 });
  assert.deepEqual([again.Status, again.FailingStreak, again.Log.length], ['starting', 0, 5]);
});

test('the next probe: the start interval while starting in the start period, the rest of the period when shorter, else the interval', () => {
  const t = healthTimings({ Interval: 10 * S, StartPeriod: 30 * S, StartInterval: 2 * S });
  assert.equal(nextProbeDelayNs(t, 0, 'starting'), 2 * S);
  assert.equal(nextProbeDelayNs(t, 0, 'healthy'), 10 * S);
  assert.equal(nextProbeDelayNs(t, 25 * S, 'starting'), 5 * S);
  assert.equal(nextProbeDelayNs(t, 31 * S, 'starting'), 10 * S);
  assert.equal(nextProbeDelayNs(healthTimings({ Interval: S }), 0, 'starting'), S);
});

test('log entries as dockerd stores them: output with "..." when cut, the timeout and failed-start messages with exit code -1', () => {
  const base = { start: at(1), end: at(2) };
  assert.deepEqual(logEntryOf({ ...base, exitCode: 0, output: 'hi\n' }, S), { Start: at(1), End: at(2), ExitCode: 0, Output: 'hi\n' });
  assert.equal(logEntryOf({ ...base, exitCode: 2, output: 'a'.repeat(4096), truncated: true }, S).Output, `${'a'.repeat(4096)}...`);
  assert.deepEqual(logEntryOf({ ...base, exitCode: 137, timedOut: true, output: '' }, 500 * MS), { Start: at(1), End: at(2), ExitCode: -1, Output: 'Health check exceeded timeout (500ms)' });
  assert.equal(logEntryOf({ ...base, exitCode: 137, timedOut: true, output: 'start\n' }, S).Output, 'Health check exceeded timeout (1s): start\n');
  assert.deepEqual(logEntryOf({ ...base, error: 'exec failed: unable to start container process: exec: "nope": executable file not found in $PATH' }, S), {
    Start: at(1), End: at(2), ExitCode: -1,
    Output: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
  });
  assert.equal(logEntryOf({ ...base, error: 'timed out starting health check for container x' }, S).Output, 'timed out starting health check for container x');
});

test('exec_die\'s exit code: the probe\'s, and 127 for one killed at its timeout (as dockerd reports it)', () => {
  assert.equal(execDieCode({ start: '', end: '', exitCode: 3 }), '3');
  assert.equal(execDieCode({ start: '', end: '', exitCode: 137, timedOut: true }), '127');
});

test('Go\'s Duration.String for the timeout message', () => {
  assert.equal(formatGoDuration(0), '0s');
  assert.equal(formatGoDuration(1), '1ns');
  assert.equal(formatGoDuration(1500), '1.5µs');
  assert.equal(formatGoDuration(500 * MS), '500ms');
  assert.equal(formatGoDuration(1.5 * MS), '1.5ms');
  assert.equal(formatGoDuration(S), '1s');
  assert.equal(formatGoDuration(1.5 * S), '1.5s');
  assert.equal(formatGoDuration(30 * S), '30s');
  assert.equal(formatGoDuration(90 * S), '1m30s');
  assert.equal(formatGoDuration(3600 * S), '1h0m0s');
  assert.equal(formatGoDuration(3661.5 * S), '1h1m1.5s');
});
