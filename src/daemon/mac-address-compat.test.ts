import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAC_DEPRECATED_WARNING, migrateMacAddress } from './mac-address-compat.ts';

const MAC = '02:11:22:33:44:55';

describe('migrateMacAddress (moby handleMACAddressBC)', () => {
  it('before 1.44: Config.MacAddress goes to the one endpoint; endpoint MACs alone are ignored', () => {
    assert.deepEqual(migrateMacAddress(MAC, 'default', undefined, '1.43'), { endpoints: { bridge: { MacAddress: MAC } } });
    assert.deepEqual(migrateMacAddress(MAC, 'net1', { net1: { Aliases: ['a'] } }, '1.43'), { endpoints: { net1: { Aliases: ['a'], MacAddress: MAC } } });
    assert.deepEqual(migrateMacAddress('', 'net1', { net1: { MacAddress: MAC } }, '1.43'), { endpoints: { net1: {} } });
    assert.throws(() => migrateMacAddress(MAC, 'host', undefined, '1.43'), /conflicting options: mac-address and the network mode/);
    assert.throws(() => migrateMacAddress(MAC, 'container:abc', undefined, '1.41'), /conflicting options: mac-address and the network mode/);
  });
  it('from 1.44: the container-wide MAC is moved to NetworkMode\'s endpoint with a warning, and must agree', () => {
    assert.deepEqual(migrateMacAddress(undefined, 'net1', { net1: { MacAddress: MAC } }, '1.44'), { endpoints: { net1: { MacAddress: MAC } } });
    assert.deepEqual(migrateMacAddress(MAC, undefined, undefined, '1.50'), { endpoints: { bridge: { MacAddress: MAC } }, warning: MAC_DEPRECATED_WARNING });
    assert.deepEqual(migrateMacAddress(MAC, 'bridge', { default: { MacAddress: MAC } }, '1.50'), { endpoints: { bridge: { MacAddress: MAC } }, warning: MAC_DEPRECATED_WARNING });
    assert.throws(() => migrateMacAddress(MAC, 'net1', { net2: {} }, '1.50'), /HostConfig.NetworkMode must match the identity of a network/);
    assert.throws(() => migrateMacAddress(MAC, 'net1', { net1: { MacAddress: '02:00:00:00:00:01' } }, '1.50'), /must match the endpoint-specific MAC address/);
    // Host networking: only the warning (dockerd drops the field).
    assert.deepEqual(migrateMacAddress(MAC, 'host', undefined, '1.50'), { endpoints: {}, warning: MAC_DEPRECATED_WARNING });
    assert.throws(() => migrateMacAddress(7, 'bridge', undefined, '1.50'), /cannot unmarshal/);
  });
});
