import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpstream } from './forwarder.ts';

test('upstream addresses: bare, with port, bracketed IPv6', () => {
  assert.deepEqual(parseUpstream('192.0.2.1'), { host: '192.0.2.1', port: 53 });
  assert.deepEqual(parseUpstream('192.0.2.1:5353'), { host: '192.0.2.1', port: 5353 });
  assert.deepEqual(parseUpstream('2001:db8::1'), { host: '2001:db8::1', port: 53 });
  assert.deepEqual(parseUpstream('[2001:db8::1]:54'), { host: '2001:db8::1', port: 54 });
  assert.deepEqual(parseUpstream('[2001:db8::1]'), { host: '2001:db8::1', port: 53 });
  for (const bad of ['', 'dns.example', '192.0.2.1:0', '192.0.2.1:70000', '192.0.2.1:x', '[nope]:53', '300.1.1.1']) {
    assert.throws(() => parseUpstream(bad), /invalid DNS upstream/, bad);
  }
});
