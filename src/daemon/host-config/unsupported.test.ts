import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refuseUnsupported, unsupportedWarnings } from './unsupported.ts';

test('settings berth cannot honour are refused, with Docker\'s message where dockerd refuses them too', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ Cgroup: 'container:x' }, /--cgroup container:x .* not supported by berth/],
    [{ CgroupnsMode: 'weird' }, /invalid cgroup namespace mode: weird/],
    [{ CpuRealtimeRuntime: 1000 }, /CPU real-time period and runtime are not supported by berth/],
    [{ DeviceRequests: [{ Count: -1 }] }, /device requests \(--gpus\) are not supported by berth/],
    [{ IOMaximumIOps: 5 }, /Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps/],
    [{ Isolation: 'hyperv' }, /Invalid isolation: "hyperv" - linux only supports 'default'/],
    [{ StorageOpt: { size: '1G' } }, /--storage-opt is not supported by berth/],
    [{ UsernsMode: 'private' }, /--userns private is not supported by berth/],
  ];
  for (const [hc, message] of cases) assert.throws(() => refuseUnsupported(hc), message, JSON.stringify(hc));
});

test('their empty and default values pass', () => {
  refuseUnsupported({ Cgroup: '', CgroupnsMode: 'private', CpuRealtimePeriod: 0, DeviceRequests: [], IOMaximumBandwidth: 0, Isolation: 'default', StorageOpt: {}, UsernsMode: 'host' });
  refuseUnsupported({ DeviceRequests: null, StorageOpt: null, Isolation: '' });
});

test('what Docker discards on Linux with a warning, berth discards with the same warning', () => {
  assert.deepEqual(unsupportedWarnings({ CpuPercent: 50, CpuCount: 2 }), [
    'linux does not support CPU percent. Percent discarded.',
    'linux does not support CPU count. Count discarded.',
  ]);
  assert.match(unsupportedWarnings({ KernelMemoryTCP: 1 << 20 })[0]!, /kernel memory TCP limits. Limitation discarded/);
  assert.deepEqual(unsupportedWarnings({}), []);
});
