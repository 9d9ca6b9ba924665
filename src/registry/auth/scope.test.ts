import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScope, parseScopes, formatScope, missingAccess, ScopeError } from './scope.ts';

test('scopes parse as distribution writes them, names with a host:port included', () => {
  assert.deepEqual(parseScope('repository:a/b:pull,push'), { type: 'repository', name: 'a/b', actions: ['pull', 'push'] });
  assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
  assert.deepEqual(parseScope('repository:localhost:5000/x/y:pull'), { type: 'repository', name: 'localhost:5000/x/y', actions: ['pull'] });
  assert.deepEqual(parseScope('repository(plugin):a:pull'), { type: 'repository', name: 'a', actions: ['pull'] });
  assert.deepEqual(parseScope('repository:a:pull,pull'), { type: 'repository', name: 'a', actions: ['pull'] });
});

test('bad scopes are refused', () => {
  for (const bad of ['', 'repository', 'repository:a', 'repository::pull', ':a:pull', 'repository:A/B:pull', 'repository:a:PULL', 'repository:a:', 'repository:a:pull,', 'repo$:a:pull', 'repository:a//b:pull', 'repository:-a:pull']) {
    assert.throws(() => parseScope(bad), ScopeError, bad);
  }
});

test('several scope parameters, each space-separated, merge per resource; unknown types drop', () => {
  const got = parseScopes(['repository:a:pull repository:b:push', 'repository:a:push', 'foo:bar:baz']);
  assert.deepEqual(got, [
    { type: 'repository', name: 'a', actions: ['pull', 'push'] },
    { type: 'repository', name: 'b', actions: ['push'] },
  ]);
  assert.equal(formatScope(got[0]!), 'repository:a:pull,push');
});

test('missingAccess names only what the grants lack; * covers every action', () => {
  const granted = [
    { type: 'repository' as const, name: 'a', actions: ['pull'] },
    { type: 'registry' as const, name: 'catalog', actions: ['*'] },
  ];
  assert.deepEqual(missingAccess(granted, [{ type: 'repository', name: 'a', actions: ['pull'] }]), []);
  assert.deepEqual(missingAccess(granted, [{ type: 'repository', name: 'a', actions: ['pull', 'push'] }]), [
    { type: 'repository', name: 'a', actions: ['push'] },
  ]);
  assert.deepEqual(missingAccess(granted, [{ type: 'repository', name: 'b', actions: ['pull'] }]), [
    { type: 'repository', name: 'b', actions: ['pull'] },
  ]);
  assert.deepEqual(missingAccess(granted, [{ type: 'registry', name: 'catalog', actions: ['*'] }]), []);
  assert.deepEqual(missingAccess([], []), []);
});

test("error details are distribution's auth.Access records, one per action, or null", async () => {
  const { accessDetail } = await import('./detail.ts');
  assert.equal(accessDetail([]), null);
  assert.equal(accessDetail(undefined), null);
  assert.deepEqual(accessDetail([{ type: 'repository', name: 'a/b', actions: ['pull', 'push'] }, { type: 'registry', name: 'catalog', actions: ['*'] }]), [
    { Type: 'repository', Class: '', Name: 'a/b', Action: 'pull' },
    { Type: 'repository', Class: '', Name: 'a/b', Action: 'push' },
    { Type: 'registry', Class: '', Name: 'catalog', Action: '*' },
  ]);
});
