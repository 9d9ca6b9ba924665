import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpose, parsePortSpecs } from './ports.ts';

const ok: Array<[string, Record<string, Array<[string, string]>>]> = [
  ['80', { '80/tcp': [['', '']] }],
  ['8080:80', { '80/tcp': [['', '8080']] }],
  ['0:80', { '80/tcp': [['', '0']] }],
  [':80', { '80/tcp': [['', '']] }],
  ['127.0.0.1::53/udp', { '53/udp': [['127.0.0.1', '']] }],
  ['1.2.3.4:80:80/tcp', { '80/tcp': [['1.2.3.4', '80']] }],
  ['[::1]:81:81', { '81/tcp': [['::1', '81']] }],
  ['80/UDP', { '80/udp': [['', '']] }],
  ['5/sctp', { '5/sctp': [['', '']] }],
  ['9000-9001:9000-9001', { '9000/tcp': [['', '9000']], '9001/tcp': [['', '9001']] }],
  ['8000-8010:80', { '80/tcp': [['', '8000-8010']] }],
  ['7000-7001', { '7000/tcp': [['', '']], '7001/tcp': [['', '']] }],
  ['published=7070,target=70,protocol=udp', { '70/udp': [['', '7070']] }],
];

for (const [spec, want] of ok) {
  test(`-p ${spec}`, () => {
    const { exposed, bindings } = parsePortSpecs([spec]);
    assert.deepEqual(Object.keys(exposed).sort(), Object.keys(want).sort());
    const got = Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, v.map((b) => [b.HostIp, b.HostPort])]));
    assert.deepEqual(got, want);
  });
}

test('two bindings of one port are both kept, in order', () => {
  const { bindings } = parsePortSpecs(['8080:80', '127.0.0.1:9090:80']);
  assert.deepEqual(bindings['80/tcp'], [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '9090' }]);
});

// Messages as the docker 28 CLI prints them (after "docker: ").
const bad: Array<[string, string]> = [
  ['99999:80', 'invalid hostPort: 99999'],
  ['80:99999', 'invalid containerPort: 99999'],
  ['8080-8081:80-82', 'invalid ranges specified for container and host Ports: 80-82 and 8080-8081'],
  ['80/xyz', 'invalid proto: xyz'],
  ['[::1:80:80', "invalid IP address [::1: address [::1:: missing ']' in address"],
  ['1.2.3.999:80:80', 'invalid IP address: 1.2.3.999'],
  ['80-70', 'invalid containerPort: 80-70'],
  ['abc', 'invalid containerPort: abc'],
  ['8080::80', 'invalid IP address: 8080'],
  ['', 'no port specified: <empty>'],
  ['published=80', 'no port specified: 80:/tcp<empty>'],
  ['target=80,published', "invalid publish opts format (should be name=value but got 'published')"],
];

for (const [spec, message] of bad) {
  test(`-p ${JSON.stringify(spec)} fails: ${message}`, () => {
    assert.throws(() => parsePortSpecs([spec]), { message });
  });
}

test('--expose ranges and protocols', () => {
  assert.deepEqual(parseExpose('80'), ['80/tcp']);
  assert.deepEqual(parseExpose('7000-7002/sctp'), ['7000/sctp', '7001/sctp', '7002/sctp']);
  assert.throws(() => parseExpose('x'), { message: 'invalid range format for --expose: strconv.ParseUint: parsing "x": invalid syntax' });
});
