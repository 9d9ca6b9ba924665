import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRuleset, jumpRules } from './iptables-rules.ts';

const net = { bridge: 'br0', subnet: '10.0.0.0/24', internal: false, icc: true, masquerade: true };

describe('buildRuleset', () => {
  it('declares (and so flushes) only the prefix chains, never a built-in one', () => {
    const text = buildRuleset('BT1', [net], []);
    const declared = [...text.matchAll(/^:(\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(declared, ['BT1-FORWARD', 'BT1-ISOLATION-STAGE-1', 'BT1-ISOLATION-STAGE-2', 'BT1', 'BT1-POSTROUTING']);
    for (const line of text.split('\n').filter((l) => l.startsWith('-A'))) assert.match(line, /^-A BT1/);
    assert.ok(jumpRules('BT1').every((j) => j.args.at(-1)!.startsWith('BT1')));
  });
  it('masquerades outbound traffic, isolates bridges, and publishes ports with hairpin', () => {
    const text = buildRuleset('B', [net, { ...net, bridge: 'br1', subnet: '10.0.1.0/24', masquerade: false }], [
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.0.0.2', containerPort: 80, bridge: 'br0' },
      { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerIp: '10.0.0.3', containerPort: 53, bridge: 'br0' },
    ]);
    assert.match(text, /^-A B-POSTROUTING -s 10\.0\.0\.0\/24 ! -o br0 -j MASQUERADE$/m);
    assert.doesNotMatch(text, /-s 10\.0\.1\.0\/24 ! -o br1 -j MASQUERADE/);
    assert.match(text, /^-A B-ISOLATION-STAGE-1 -i br1 ! -o br1 -j B-ISOLATION-STAGE-2$/m);
    assert.match(text, /^-A B-ISOLATION-STAGE-2 -o br0 -j DROP$/m);
    assert.match(text, /^-A B -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10\.0\.0\.2:80$/m);
    assert.match(text, /^-A B -d 127\.0\.0\.1\/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10\.0\.0\.3:53$/m);
    assert.match(text, /^-A B-FORWARD -d 10\.0\.0\.2\/32 ! -i br0 -o br0 -p tcp -m tcp --dport 80 -j ACCEPT$/m);
    assert.match(text, /^-A B-POSTROUTING -s 10\.0\.0\.2\/32 -d 10\.0\.0\.2\/32 -p tcp -m tcp --dport 80 -j MASQUERADE$/m);
  });
  it('drops everything leaving or entering an internal network and bridge-local traffic without icc', () => {
    const text = buildRuleset('B', [{ ...net, internal: true, icc: false }], []);
    assert.match(text, /^-A B-FORWARD -i br0 ! -o br0 -j DROP$/m);
    assert.match(text, /^-A B-FORWARD -o br0 ! -i br0 -j DROP$/m);
    assert.match(text, /^-A B-FORWARD -i br0 -o br0 -j DROP$/m);
    assert.doesNotMatch(text, /MASQUERADE/);
  });
});
