import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveUser, parsePasswd, parseGroup, type ReadRootfsFile } from './user.ts';
import { BerthError } from '../common/index.ts';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
# a comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin

nobody:x:65534:65534:nobody:/home:/bin/false
app:x:1000:1000::/home/app:/bin/sh
web:x:1001:1001:Web:/srv/web:/bin/sh
`;
const GROUP = `root:x:0:
daemon:x:1:
wheel:x:10:root,web
app:x:1000:
web:x:1001:
audio:x:29:web,app
nogroup:x:65534:
`;

function files(passwd: string | undefined, group: string | undefined): ReadRootfsFile {
  return async (p) => (p === '/etc/passwd' ? passwd : p === '/etc/group' ? group : undefined);
}
const fs = files(PASSWD, GROUP);

function rejects(p: Promise<unknown>, message: string) {
  return assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof BerthError);
    assert.equal(err.kind, 'InvalidParameter');
    assert.equal(err.message, message);
    return true;
  });
}

test('parsers read passwd and group lines, skipping blanks and comments', () => {
  const users = parsePasswd(PASSWD);
  assert.equal(users.length, 5);
  assert.deepEqual(users[3], { name: 'app', password: 'x', uid: 1000, gid: 1000, gecos: '', home: '/home/app', shell: '/bin/sh' });
  const groups = parseGroup(GROUP);
  assert.deepEqual(groups.find((g) => g.name === 'wheel')?.members, ['root', 'web']);
  assert.deepEqual(groups.find((g) => g.name === 'app')?.members, []);
});

test('empty user is root with root supplementary groups', async () => {
  assert.deepEqual(await resolveUser('', undefined, fs), { uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' });
});

test('user by name gets its primary gid, home and supplementary groups', async () => {
  assert.deepEqual(await resolveUser('web', [], fs), { uid: 1001, gid: 1001, additionalGids: [1001, 10, 29], home: '/srv/web' });
  assert.deepEqual(await resolveUser('app', null, fs), { uid: 1000, gid: 1000, additionalGids: [1000, 29], home: '/home/app' });
});

test('numeric uid matching an entry uses that entry; unknown numeric uid is taken as is', async () => {
  assert.deepEqual(await resolveUser('1000', [], fs), { uid: 1000, gid: 1000, additionalGids: [1000, 29], home: '/home/app' });
  assert.deepEqual(await resolveUser('4242', [], fs), { uid: 4242, gid: 0, additionalGids: [0], home: '' });
});

test('user:group forms set the gid and drop supplementary groups', async () => {
  assert.deepEqual((await resolveUser('web:audio', [], fs)).additionalGids, [29]);
  assert.equal((await resolveUser('web:audio', [], fs)).gid, 29);
  assert.deepEqual(await resolveUser('1000:1001', [], fs), { uid: 1000, gid: 1001, additionalGids: [1001], home: '/home/app' });
  assert.deepEqual(await resolveUser('app:5555', [], fs), { uid: 1000, gid: 5555, additionalGids: [5555], home: '/home/app' });
  assert.deepEqual(await resolveUser('77:88', [], fs), { uid: 77, gid: 88, additionalGids: [88], home: '' });
});

test('missing passwd and group files are fine for numeric ids', async () => {
  const none = files(undefined, undefined);
  assert.deepEqual(await resolveUser('', [], none), { uid: 0, gid: 0, additionalGids: [0], home: '' });
  assert.deepEqual(await resolveUser('123:456', ['789'], none), { uid: 123, gid: 456, additionalGids: [456, 789], home: '' });
});

test('unknown names give Docker\'s errors', async () => {
  await rejects(resolveUser('foo', [], fs), 'unable to find user foo: no matching entries in passwd file');
  await rejects(resolveUser('foo', [], files(undefined, undefined)), 'unable to find user foo: no matching entries in passwd file');
  await rejects(resolveUser('app:nope', [], fs), 'unable to find group nope: no matching entries in group file');
  await rejects(resolveUser('app', ['nope'], fs), 'Unable to find group nope: no matching entries in group file');
});

test('ids out of range are refused', async () => {
  await rejects(resolveUser('-1', [], fs), 'uids and gids must be in range 0-2147483647');
  await rejects(resolveUser('0:2147483648', [], fs), 'uids and gids must be in range 0-2147483647');
  await rejects(resolveUser('', ['-5'], fs), 'uids and gids must be in range 0-2147483647');
});

test('GroupAdd takes names and gids, in order, without duplicates', async () => {
  const u = await resolveUser('app', ['wheel', '29', '5000', 'wheel', '10'], fs);
  assert.deepEqual(u.additionalGids, [1000, 29, 10, 29, 5000]);
});
