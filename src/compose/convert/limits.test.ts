import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostResources } from './limits.ts';
import { restartPolicy } from './restart.ts';
import type { ServiceConfig } from '../types.ts';

const svc = (s: Partial<ServiceConfig>): ServiceConfig => ({ name: 'app', ...s });

test('resources from the service keys', () => {
  assert.deepEqual(
    hostResources(svc({ mem_limit: 536870912, mem_reservation: 268435456, memswap_limit: 1073741824, cpus: 1.5, cpu_shares: 512, cpu_quota: 50000, cpu_period: 100000, cpuset: '0-1', pids_limit: 100, oom_kill_disable: true })),
    { Memory: 536870912, MemorySwap: 1073741824, MemoryReservation: 268435456, OomKillDisable: true, CpuPeriod: 100000, CpuQuota: 50000, CpuShares: 512, NanoCpus: 1500000000, CpusetCpus: '0-1', PidsLimit: 100 },
  );
  assert.deepEqual(hostResources(svc({})), {});
});

test('deploy.resources limits and reservations override the service keys', () => {
  const r = hostResources(svc({
    mem_limit: 1, cpus: 2, pids_limit: 5,
    deploy: { resources: { limits: { cpus: '0.25', memory: 52428800, pids: 50 }, reservations: { memory: 20971520, devices: [{ capabilities: ['gpu'], driver: 'nvidia', count: 'all' }] } } },
  }));
  assert.deepEqual(r, {
    Memory: 52428800, NanoCpus: 250000000, PidsLimit: 50, MemoryReservation: 20971520,
    DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }],
  });
});

test('bad input: cpus that is not a number', () => {
  assert.throws(() => hostResources(svc({ deploy: { resources: { limits: { cpus: 'lots' } } } })), /service "app": invalid cpus value "lots"/);
});

test('restart: the service key, with a retry count', () => {
  assert.equal(restartPolicy(svc({})), undefined);
  assert.deepEqual(restartPolicy(svc({ restart: 'always' })), { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(restartPolicy(svc({ restart: 'no' })), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(restartPolicy(svc({ restart: 'on-failure:3' })), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(restartPolicy(svc({ restart: 'unless-stopped' })), { Name: 'unless-stopped', MaximumRetryCount: 0 });
});

test('restart: deploy.restart_policy wins, none/any map to no/always', () => {
  assert.deepEqual(restartPolicy(svc({ restart: 'always', deploy: { restart_policy: { condition: 'on-failure', max_attempts: 5 } } })), { Name: 'on-failure', MaximumRetryCount: 5 });
  assert.deepEqual(restartPolicy(svc({ deploy: { restart_policy: { condition: 'none' } } })), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(restartPolicy(svc({ deploy: { restart_policy: { condition: 'any' } } })), { Name: 'always', MaximumRetryCount: 0 });
});

test('bad input: an unknown restart policy, a bad retry count, a count with always', () => {
  assert.throws(() => restartPolicy(svc({ restart: 'sometimes' })), /service "app": invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'/);
  assert.throws(() => restartPolicy(svc({ deploy: { restart_policy: { condition: 'whenever' } } })), /unknown policy 'whenever'/);
  assert.throws(() => restartPolicy(svc({ restart: 'on-failure:x' })), /maximum retry count must be an integer/);
  assert.throws(() => restartPolicy(svc({ restart: 'always:3' })), /maximum retry count can only be used with 'on-failure'/);
});
