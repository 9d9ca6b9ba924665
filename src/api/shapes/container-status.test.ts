import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from '../../common/index.ts';
import { statusText } from './container-status.ts';

// ---- humanDuration: go-units' own test table ----------------------------------------------

const S = 1, M = 60, H = 3600, D = 24 * H, W = 7 * D, MO = 30 * D, Y = 365 * D;
const durations: [number, string][] = [
  [0.45, 'Less than a second'],
  [-5, 'Less than a second'],
  [1, '1 second'],
  [45, '45 seconds'], [46, '46 seconds'], [59, '59 seconds'],
  [60, 'About a minute'], [M, 'About a minute'],
  [3 * M, '3 minutes'], [35 * M, '35 minutes'], [35 * M + 40 * S, '35 minutes'],
  [45 * M, '45 minutes'], [45 * M + 40 * S, '45 minutes'], [46 * M, '46 minutes'], [59 * M, '59 minutes'],
  [H, 'About an hour'], [H + 29 * M, 'About an hour'],
  [H + 31 * M, '2 hours'], [H + 59 * M, '2 hours'],
  [3 * H, '3 hours'], [3 * H + 29 * M, '3 hours'], [3 * H + 31 * M, '4 hours'], [3 * H + 59 * M, '4 hours'], [3 * H + 60 * M, '4 hours'],
  [24 * H, '24 hours'], [D + 12 * H, '36 hours'],
  [2 * D, '2 days'], [7 * D, '7 days'], [13 * D + 5 * H, '13 days'],
  [2 * W, '2 weeks'], [2 * W + 4 * D, '2 weeks'], [3 * W, '3 weeks'], [4 * W, '4 weeks'], [4 * W + 3 * D, '4 weeks'],
  [MO, '4 weeks'], [MO + 2 * W, '6 weeks'],
  [2 * MO, '2 months'], [2 * MO + 2 * W, '2 months'], [3 * MO, '3 months'], [3 * MO + W, '3 months'],
  [5 * MO + 2 * W, '5 months'], [13 * MO, '13 months'], [23 * MO, '23 months'], [24 * MO, '24 months'],
  [24 * MO + 2 * W, '2 years'], [3 * Y + 2 * MO, '3 years'],
];
for (const [secs, want] of durations) {
  test(`humanDuration(${secs}s) = ${want}`, () => assert.equal(humanDuration(secs), want));
}

// ---- statusText ---------------------------------------------------------------------------

const NOW = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
const ago = (secs: number) => new Date(Number(NOW / 1_000_000n) - secs * 1000).toISOString().replace('.000Z', 'Z');
const ZERO = '0001-01-01T00:00:00Z';

const statusCases: [string, Parameters<typeof statusText>[0], string][] = [
  ['running', { status: 'running', startedAt: ago(180), finishedAt: ZERO, exitCode: 0 }, 'Up 3 minutes'],
  ['running, just started', { status: 'running', startedAt: ago(0), finishedAt: ZERO, exitCode: 0 }, 'Up Less than a second'],
  ['running, healthy', { status: 'running', startedAt: ago(5), finishedAt: ZERO, exitCode: 0, health: 'healthy' }, 'Up 5 seconds (healthy)'],
  ['running, unhealthy', { status: 'running', startedAt: ago(5), finishedAt: ZERO, exitCode: 0, health: 'unhealthy' }, 'Up 5 seconds (unhealthy)'],
  ['running, health starting', { status: 'running', startedAt: ago(1), finishedAt: ZERO, exitCode: 0, health: 'starting' }, 'Up 1 second (health: starting)'],
  ['running, no healthcheck', { status: 'running', startedAt: ago(60), finishedAt: ZERO, exitCode: 0, health: 'none' }, 'Up About a minute'],
  ['paused', { status: 'paused', startedAt: ago(2 * 3600), finishedAt: ZERO, exitCode: 0 }, 'Up 2 hours (Paused)'],
  ['restarting', { status: 'restarting', startedAt: ago(10), finishedAt: ago(2), exitCode: 1 }, 'Restarting (1) 2 seconds ago'],
  ['exited', { status: 'exited', startedAt: ago(60), finishedAt: ago(5), exitCode: 0 }, 'Exited (0) 5 seconds ago'],
  ['exited 137', { status: 'exited', startedAt: ago(9000), finishedAt: ago(3 * 86400), exitCode: 137 }, 'Exited (137) 3 days ago'],
  ['exited, never finished', { status: 'exited', startedAt: ago(60), finishedAt: ZERO, exitCode: 0 }, ''],
  ['created', { status: 'created', startedAt: ZERO, finishedAt: ZERO, exitCode: 0 }, 'Created'],
  ['removing', { status: 'removing', startedAt: ago(60), finishedAt: ago(5), exitCode: 0 }, 'Removal In Progress'],
  ['dead', { status: 'dead', startedAt: ago(60), finishedAt: ago(5), exitCode: 0 }, 'Dead'],
];
for (const [name, state, want] of statusCases) {
  test(`statusText: ${name}`, () => assert.equal(statusText(state, NOW), want));
}

test('statusText accepts nanosecond RFC3339 stamps', () => {
  assert.equal(statusText({ status: 'running', startedAt: '2023-11-14T22:10:20.123456789Z', finishedAt: ZERO, exitCode: 0 }, NOW), 'Up 2 minutes');
});
