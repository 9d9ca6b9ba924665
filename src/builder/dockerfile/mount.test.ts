import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind } from '../../common/index.ts';
import { parseMount } from './mount.ts';

const id = (s: string) => s;
const fails = (value: string, message: string) =>
  assert.throws(() => parseMount(value, id), (err: unknown) => {
    assert.equal(errorKind(err), 'InvalidParameter');
    assert.equal((err as Error).message, message);
    return true;
  });

test('defaults: bind, read-only; cache and tmpfs read-write', () => {
  assert.deepEqual(parseMount('target=/src', id), { type: 'bind', target: '/src', readOnly: true });
  assert.deepEqual(parseMount('type=bind,source=a,from=build,dst=/x,rw', id), {
    type: 'bind', source: 'a', from: 'build', target: '/x', readOnly: false,
  });
  assert.deepEqual(parseMount('type=cache,target=/root/.cache', id), { type: 'cache', target: '/root/.cache', readOnly: false });
  assert.equal(parseMount('type=cache,target=/c,ro', id).readOnly, true);
  assert.equal(parseMount('type=cache,target=/c,readonly=true', id).readOnly, true);
  assert.equal(parseMount('type=bind,target=/c,readwrite=1', id).readOnly, false);
  assert.equal(parseMount('type=tmpfs,destination=/t', id).readOnly, false);
  assert.equal(parseMount('TYPE=Cache,Target=/c', id).type, 'cache');
});

test('cache options: id, sharing, mode, uid, gid', () => {
  assert.deepEqual(parseMount('type=cache,id=go,target=/go,sharing=locked,mode=0755,uid=1000,gid=100', id), {
    type: 'cache', id: 'go', target: '/go', sharing: 'locked', mode: 0o755, uid: 1000, gid: 100, readOnly: false,
  });
  fails('type=cache,target=/c,sharing=exclusive', 'unsupported sharing value "exclusive"');
  fails('type=cache,target=/c,mode=888', 'invalid value 888 for mode');
  fails('type=cache,target=/c,uid=-1', 'invalid value -1 for uid');
  fails('type=cache,target=/c,gid=x', 'invalid value x for gid');
  fails('type=bind,target=/c,mode=0755', 'mode not allowed for "bind" type mounts');
  fails('type=tmpfs,target=/c,uid=1', 'uid not allowed for "tmpfs" type mounts');
  fails('target=/c,sharing=shared', 'invalid cache sharing set for bind mount');
});

test('tmpfs size with units', () => {
  assert.equal(parseMount('type=tmpfs,target=/t,size=64m', id).size, 64 * 1024 * 1024);
  assert.equal(parseMount('type=tmpfs,target=/t,size=1024', id).size, 1024);
  fails('type=tmpfs,target=/t,size=lots', 'invalid value for size: lots');
  fails('type=cache,target=/t,size=1m', "unexpected key 'size' for mount type 'cache'");
});

test('secret and ssh mounts', () => {
  assert.deepEqual(parseMount('type=secret,id=aws', id), { type: 'secret', id: 'aws', target: '/run/secrets/aws', readOnly: true });
  assert.deepEqual(parseMount('type=secret,target=/etc/token,required', id), {
    type: 'secret', target: '/etc/token', id: 'token', required: true, readOnly: true,
  });
  assert.deepEqual(parseMount('type=secret,source=npmrc,mode=0440', id), {
    type: 'secret', source: 'npmrc', id: 'npmrc', target: '/run/secrets/npmrc', mode: 0o440, readOnly: true,
  });
  assert.deepEqual(parseMount('type=secret,id=k,env=API_KEY', id), { type: 'secret', id: 'k', env: 'API_KEY', readOnly: true });
  assert.deepEqual(parseMount('type=ssh,required=true', id), { type: 'ssh', required: true, readOnly: true });
  fails('type=secret,id=a,from=x', 'secret mount should not have a from');
  fails('type=secret', 'invalid secret mount. one of source, target required');
  fails('type=secret,source=a,id=b', "both source and id can't be set");
  fails('type=secret,env=X', 'one of source, target required');
  fails('required,type=secret,id=a', "unexpected key 'required' for mount type 'bind'");
  fails('type=cache,target=/c,required=true', "unexpected key 'required' for mount type 'cache'");
  fails('type=secret,id=a,required=maybe', 'invalid value for required: maybe');
  fails('type=cache,target=/c,env=X', "unexpected key 'env' for mount type 'cache'");
});

test('bad keys, fields and types', () => {
  fails('type=volume,target=/x', 'unsupported mount type "volume"');
  fails('type=cach,target=/x', 'unsupported mount type "cach" (did you mean cache?)');
  fails('target=/x,zzz=bar', "unexpected key 'zzz' in 'zzz=bar'");
  fails('targe=/x', "unexpected key 'targe' in 'targe=/x' (did you mean target?)");
  fails('target=/x,novalue', "invalid field 'novalue' must be a key=value pair");
  fails('target=/x,ro=maybe', 'invalid value for ro: maybe');
  fails('', 'failed to parse csv mounts: EOF');
  fails('target=/x,so"urce=a', 'failed to parse csv mounts: parse error on line 1, column 13: bare " in non-quoted-field');
});

test('CSV quoting and value expansion', () => {
  assert.equal(parseMount('"target=/a,b",type=cache', id).target, '/a,b');
  assert.equal(parseMount('"target=say ""hi"""', id).target, 'say "hi"');
  const expand = (s: string) => s.replace('$DIR', '/expanded');
  const m = parseMount('type=cache,id=$DIR,target=$DIR/x', expand);
  assert.deepEqual([m.id, m.target], ['/expanded', '/expanded/x']);
  assert.throws(() => parseMount('target=${', () => { throw new Error('lexer'); }), { message: 'lexer' });
});
