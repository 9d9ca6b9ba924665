import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptCreateForVersion } from './create-version.ts';
import type { ContainerCreateRequest } from '../../types/engine-api.generated.ts';

const body = (hc: Record<string, unknown>): ContainerCreateRequest => ({ Image: 'busybox', HostConfig: hc }) as ContainerCreateRequest;

test('API 1.24: AutoRemove is the client\'s job, so it is dropped', () => {
  const b = body({ AutoRemove: true });
  adaptCreateForVersion(b, '1.24');
  assert.equal(b.HostConfig!.AutoRemove, false);
  const now = body({ AutoRemove: true });
  adaptCreateForVersion(now, '1.25');
  assert.equal(now.HostConfig!.AutoRemove, true);
});

test('before 1.40 the IPC default is shareable and KernelMemoryTCP is ignored; from 1.42 KernelMemory is', () => {
  const old = body({ KernelMemoryTCP: 5 });
  adaptCreateForVersion(old, '1.39');
  assert.equal(old.HostConfig!.IpcMode, 'shareable');
  assert.equal((old.HostConfig as Record<string, unknown>).KernelMemoryTCP, 0);
  const given = body({ IpcMode: 'private' });
  adaptCreateForVersion(given, '1.39');
  assert.equal(given.HostConfig!.IpcMode, 'private');
  const mid = body({ KernelMemory: 9 });
  adaptCreateForVersion(mid, '1.41');
  assert.equal((mid.HostConfig as Record<string, unknown>).KernelMemory, 9);
  assert.equal(mid.HostConfig!.IpcMode, undefined);
  const now = body({ KernelMemory: 9 });
  adaptCreateForVersion(now, '1.50');
  assert.equal((now.HostConfig as Record<string, unknown>).KernelMemory, 0);
});

test('no HostConfig: nothing to adapt', () => {
  const b = { Image: 'busybox' } as ContainerCreateRequest;
  adaptCreateForVersion(b, '1.24');
  assert.equal(b.HostConfig, undefined);
});
