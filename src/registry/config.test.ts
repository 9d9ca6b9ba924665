import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './config.ts';
import { parseAddr } from './serve.ts';

test('distribution config.yml keys are read', () => {
  const cfg = parseConfig(`
version: 0.1
log:
  level: debug
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: /srv/registry
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: true
      age: 2h
      interval: 30m
      dryrun: true
http:
  addr: 127.0.0.1:5001
  headers:
    X-Content-Type-Options: [nosniff]
  tls:
    certificate: /c.pem
    key: /k.pem
    clientcas: [/ca.pem]
auth:
  htpasswd:
    realm: basic-realm
    path: /etc/registry/htpasswd
`);
  assert.equal(cfg.logLevel, 'debug');
  assert.equal(cfg.accessLog, false);
  assert.equal(cfg.rootDirectory, '/srv/registry');
  assert.equal(cfg.deleteEnabled, true);
  assert.deepEqual(cfg.uploadPurging, { enabled: true, ageMs: 7_200_000, intervalMs: 1_800_000, dryRun: true });
  assert.equal(cfg.addr, '127.0.0.1:5001');
  assert.deepEqual(cfg.headers, { 'X-Content-Type-Options': ['nosniff'] });
  assert.deepEqual(cfg.tls, { certificate: '/c.pem', key: '/k.pem', clientCAs: ['/ca.pem'] });
  assert.deepEqual(cfg.auth, { htpasswd: { realm: 'basic-realm', path: '/etc/registry/htpasswd' } });
});

test('defaults are distribution defaults', () => {
  const cfg = parseConfig('version: 0.1\n');
  assert.equal(cfg.rootDirectory, '/var/lib/registry');
  assert.equal(cfg.deleteEnabled, false);
  assert.equal(cfg.accessLog, true);
  assert.equal(cfg.uploadPurging.enabled, true);
  assert.equal(cfg.uploadPurging.ageMs, 168 * 3600_000);
  assert.equal(cfg.addr, ':5000');
  assert.equal(cfg.auth, undefined);
});

test('bad configs are refused with a message', () => {
  for (const bad of [
    'version: 2',
    'log: [1]',
    'log:\n  level: loud',
    'storage:\n  delete:\n    enabled: maybe',
    'storage:\n  maintenance:\n    uploadpurging:\n      age: 3 days',
    'http:\n  tls:\n    certificate: /c.pem',
    ': : :',
  ]) {
    assert.throws(() => parseConfig(bad), ConfigError, bad);
  }
});

test('listen addresses', () => {
  assert.deepEqual(parseAddr(':5000'), { host: undefined, port: 5000 });
  assert.deepEqual(parseAddr('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseAddr('[::1]:5000'), { host: '::1', port: 5000 });
  for (const bad of ['5000', 'host', 'h:99999', '::1:5000']) assert.throws(() => parseAddr(bad), ConfigError, bad);
});
