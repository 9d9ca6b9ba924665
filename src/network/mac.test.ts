import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMac, randomMac } from './mac.ts';

test('randomMac: Docker\'s 02:42 prefix, four random bytes, unicast', () => {
  const a = randomMac();
  assert.match(a, /^02:42:([0-9a-f]{2}:){3}[0-9a-f]{2}$/);
  assert.notEqual(a, randomMac());
});

test('parseMac: Go net.ParseMAC\'s 48-bit forms, canonical output, bad input refused', () => {
  assert.equal(parseMac('02:11:22:33:44:AA'), '02:11:22:33:44:aa');
  assert.equal(parseMac('02-11-22-33-44-55'), '02:11:22:33:44:55');
  assert.equal(parseMac('0211.2233.4455'), '02:11:22:33:44:55');
  for (const bad of ['', 'zz:11', '02:11:22:33:44', '02:11:22:33:44:55:66', '02:11-22:33:44:55', '0211.2233.445', ' 02:11:22:33:44:55', '01:00:5e:00:00:01']) {
    assert.equal(parseMac(bad), undefined, bad);
  }
});
