import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RulePolicy, PolicyConfigError, matches } from './policy.ts';
import type { Access } from './types.ts';

const repo = (name: string, ...actions: string[]): Access => ({ type: 'repository', name, actions });
const alice = { name: 'alice', via: 'basic' as const };
const bob = { name: 'bob', via: 'basic' as const };

test('patterns: * stays in one component, ** crosses them, {account} is the requester', () => {
  assert.equal(matches('team/*', 'team/app', alice), true);
  assert.equal(matches('team/*', 'team/app/sub', alice), false);
  assert.equal(matches('team/*', 'teamx/app', alice), false);
  assert.equal(matches('team/**', 'team/app/sub', alice), true);
  assert.equal(matches('**', 'anything/at/all', undefined), true);
  assert.equal(matches('{account}/**', 'alice/x', alice), true);
  assert.equal(matches('{account}/**', 'alice/x', bob), false);
  assert.equal(matches('{account}/**', 'alice/x', undefined), false);
  assert.equal(matches('a.b', 'axb', alice), false, 'dots are literal');
});

test('roles grant their actions on matching repositories; more than granted is cut, not refused', async () => {
  const p = RulePolicy.fromConfig({
    roles: { pusher: ['push'] },
    rules: [
      { account: 'alice', repositories: ['team/*'], role: 'writer' },
      { accounts: ['bob'], repositories: ['team/*'], role: 'reader' },
      { account: 'bob', repositories: ['bob/**'], actions: ['pull', 'push', 'delete'] },
      { account: '*', repositories: ['shared'], role: 'pusher' },
      { account: 'anonymous', repositories: ['public/**'], role: 'reader' },
      { account: 'alice', catalog: true },
    ],
  });
  assert.deepEqual(await p.grant(alice, [repo('team/app', 'pull', 'push', 'delete')]), [repo('team/app', 'pull', 'push')]);
  assert.deepEqual(await p.grant(bob, [repo('team/app', 'pull', 'push')]), [repo('team/app', 'pull')]);
  assert.deepEqual(await p.grant(bob, [repo('bob/x/y', 'delete')]), [repo('bob/x/y', 'delete')]);
  assert.deepEqual(await p.grant(bob, [repo('other', 'pull')]), []);
  assert.deepEqual(await p.grant(bob, [repo('shared', 'pull', 'push')]), [repo('shared', 'push')]);
  assert.deepEqual(await p.grant(undefined, [repo('shared', 'push')]), [], 'anonymous is not "*"');
  assert.deepEqual(await p.grant(undefined, [repo('public/a', 'pull', 'push')]), [repo('public/a', 'pull')]);
  assert.deepEqual(await p.grant(bob, [repo('public/a', 'pull')]), [repo('public/a', 'pull')], 'accounts may do what anonymous may');
  const catalog: Access = { type: 'registry', name: 'catalog', actions: ['*'] };
  assert.deepEqual(await p.grant(alice, [catalog]), [catalog]);
  assert.deepEqual(await p.grant(bob, [catalog]), []);
  // Docker's search asks for registry:catalog:search; a catalog rule grants it.
  const search: Access = { type: 'registry', name: 'catalog', actions: ['search'] };
  assert.deepEqual(await p.grant(alice, [search]), [search]);
  assert.deepEqual(await p.grant(bob, [search]), []);
  assert.deepEqual(await p.grant(alice, [{ type: 'registry', name: 'other', actions: ['*'] }]), []);
  assert.equal(p.allowsAnonymous(), true);
});

test('without an access section every account may do everything and anonymous nothing (distribution)', async () => {
  const p = RulePolicy.fromConfig(undefined);
  assert.deepEqual(await p.grant(alice, [repo('x/y', 'pull', 'push', 'delete')]), [repo('x/y', 'pull', 'push', 'delete')]);
  assert.deepEqual(await p.grant(alice, [repo('x/y', '*')]), [repo('x/y', '*')]);
  assert.deepEqual(await p.grant(undefined, [repo('x/y', 'pull')]), []);
  assert.equal(p.allowsAnonymous(), false);
});

test('bad access configs are refused with the field named', () => {
  const bad: Array<[unknown, RegExp]> = [
    ['x', /auth.access: expected a mapping/],
    [{ rules: 'x' }, /rules: expected a list/],
    [{ rules: [], extra: 1 }, /unknown key "extra"/],
    [{ rules: [{ repositories: ['a'], role: 'reader' }] }, /rules\[0\]: needs account/],
    [{ rules: [{ account: 'a', repositories: ['a'], role: 'boss' }] }, /unknown role "boss"/],
    [{ rules: [{ account: 'a', repositories: ['a'], actions: ['pull', 'fly'] }] }, /unknown action "fly"/],
    [{ rules: [{ account: 'a', repositories: ['A+'], role: 'reader' }] }, /invalid pattern/],
    [{ rules: [{ account: 'a', repositories: ['a'] }] }, /needs a role or actions/],
    [{ rules: [{ account: 'a' }] }, /needs repositories or catalog/],
    [{ rules: [{ account: 'a', repositories: ['a'], role: 'reader', actions: ['pull'] }] }, /exclusive/],
    [{ rules: [{ account: 'a', catalog: 'yes' }] }, /catalog: expected true or false/],
    [{ roles: { reader: ['push'] }, rules: [] }, /built-in role cannot be redefined/],
    [{ rules: [{ account: 'a', repositories: ['a'], role: 'reader', color: 'red' }] }, /unknown key "color"/],
  ];
  for (const [config, message] of bad) assert.throws(() => RulePolicy.fromConfig(config), (e: Error) => e instanceof PolicyConfigError && message.test(e.message), String(message));
});
