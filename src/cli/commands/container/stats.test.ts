import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuPercent, memUsageNoCache, statsEntry, statsRow, STATS_HEADERS, STATS_TABLE_FORMAT } from './stats.ts';
import { formatList } from '../../format/index.ts';

test('docker\'s CPU % : container delta over system delta times the online CPUs', () => {
  const v = {
    cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 18_000_000_000 },
  };
  assert.equal(cpuPercent(v), 100);
  // Without online_cpus the per-CPU list gives the count.
  assert.equal(cpuPercent({ ...v, cpu_stats: { ...v.cpu_stats, online_cpus: 0, cpu_usage: { total_usage: 3e9, percpu_usage: [1, 2, 3, 4] } } }), 200);
  assert.equal(cpuPercent({ cpu_stats: {}, precpu_stats: {} }), 0);
});

test('memory usage leaves out inactive file pages (v1 total_inactive_file, v2 inactive_file)', () => {
  assert.equal(memUsageNoCache({ usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100 } }), 700);
  assert.equal(memUsageNoCache({ usage: 1000, stats: { inactive_file: 100 } }), 900);
  assert.equal(memUsageNoCache({ usage: 100, stats: { total_inactive_file: 300 } }), 100);
  assert.equal(memUsageNoCache(undefined), 0);
});

test('rows and table as docker prints them', () => {
  const e = statsEntry('web', {
    name: '/web', id: '0123456789abcdef0123',
    memory_stats: { usage: 64 * 1024 * 1024, limit: 256 * 1024 * 1024, stats: { total_inactive_file: 0 } },
    blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 4096 }, { op: 'Write', value: 1_500_000 }, { op: 'Total', value: 1 }] },
    networks: { eth0: { rx_bytes: 1296, tx_bytes: 648 }, eth1: { rx_bytes: 4, tx_bytes: 2 } },
    pids_stats: { current: 3 },
  });
  const row = statsRow(e, true) as Record<string, string>;
  assert.deepEqual(row, {
    BlockIO: '4.1kB / 1.5MB', CPUPerc: '0.00%', Container: 'web', ID: '0123456789ab', MemPerc: '25.00%',
    MemUsage: '64MiB / 256MiB', Name: 'web', NetIO: '1.3kB / 650B', PIDs: '3',
  });
  const invalid = statsRow({ ...e, isInvalid: true, name: '' }, false) as Record<string, string>;
  assert.equal(invalid.CPUPerc, '--');
  assert.equal(invalid.MemUsage, '-- / --');
  assert.equal(invalid.Name, '--');
  assert.equal(invalid.ID, '0123456789abcdef0123');
  const table = formatList([row], { format: 'table', defaultFormat: STATS_TABLE_FORMAT, headers: STATS_HEADERS });
  assert.equal(table,
    'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O        BLOCK I/O       PIDS\n' +
    '0123456789ab   web       0.00%     64MiB / 256MiB      25.00%    1.3kB / 650B   4.1kB / 1.5MB   3\n');
});
