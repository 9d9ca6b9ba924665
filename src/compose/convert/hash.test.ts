import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { serviceConfigHash, canonicalJson } from './hash.ts';
import type { ServiceConfig } from '../types.ts';

const base: ServiceConfig = {
  name: 'web',
  image: 'nginx',
  environment: { A: '1', B: null },
  ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
};

test('the hash is sha256 (hex) of the canonical JSON without name', () => {
  const { name: _name, ...rest } = base;
  void _name;
  assert.equal(serviceConfigHash(base), createHash('sha256').update(canonicalJson(rest)).digest('hex'));
  assert.match(serviceConfigHash(base), /^[0-9a-f]{64}$/);
});

test('key order does not change the hash; values do', () => {
  const reordered: ServiceConfig = { ports: base.ports, environment: { B: null, A: '1' }, image: 'nginx', name: 'web' };
  assert.equal(serviceConfigHash(reordered), serviceConfigHash(base));
  assert.notEqual(serviceConfigHash({ ...base, environment: { A: '2', B: null } }), serviceConfigHash(base));
  assert.notEqual(serviceConfigHash({ ...base, image: 'nginx:2' }), serviceConfigHash(base));
  assert.notEqual(serviceConfigHash({ ...base, command: [] }), serviceConfigHash(base), 'command: [] differs from no command');
});

test('build, pull_policy, scale, deploy.replicas, depends_on, profiles and x- fields do not change the hash', () => {
  const h = serviceConfigHash({ ...base, deploy: { replicas: 1, resources: { limits: { memory: 1024 } } } });
  assert.equal(serviceConfigHash({
    ...base,
    build: { context: '/src' },
    pull_policy: 'always',
    scale: 4,
    deploy: { replicas: 4, resources: { limits: { memory: 1024 } } },
    depends_on: { db: { condition: 'service_healthy', required: true } },
    profiles: ['debug'],
    extensions: { 'x-note': 1 },
  }), h);
  assert.notEqual(serviceConfigHash({ ...base, deploy: { replicas: 4, resources: { limits: { memory: 2048 } } } }), h);
});

test('canonical JSON: sorted keys at every level, undefined left out', () => {
  assert.equal(canonicalJson({ b: [{ z: 1, a: undefined, m: null }], a: 'x', c: undefined }), '{"a":"x","b":[{"m":null,"z":1}]}');
});
