import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childrenFirst, linkEnvVars, parseLink } from './links.ts';

describe('parseLink (opts.ParseLink)', () => {
  it('takes name, name:alias and the stored /name:/parent/alias form', () => {
    assert.deepEqual(parseLink('web'), ['web', 'web']);
    assert.deepEqual(parseLink('web:db'), ['web', 'db']);
    assert.deepEqual(parseLink('/web:/me/db'), ['web', 'db']);
  });
  it('refuses empty and over-split links with Docker\'s messages', () => {
    assert.throws(() => parseLink(''), /^Error: empty string specified for links$|empty string specified for links/);
    assert.throws(() => parseLink('a:b:c'), /bad format for links: a:b:c/);
  });
});

describe('linkEnvVars (links.Link.ToEnv)', () => {
  it('names, ports with runs, the child\'s environment without HOME and PATH', () => {
    const env = linkEnvVars('10.0.0.2', '/me/my-db', ['A=1', 'HOME=/root', 'PATH=/bin', 'NOEQ', 'B=x=y'], ['6379/tcp', '53/udp', '6380/tcp', '6381', 'bad/tcp']);
    assert.deepEqual(env, [
      'MY_DB_PORT=tcp://10.0.0.2:6379',
      'MY_DB_PORT_6379_TCP=tcp://10.0.0.2:6379', 'MY_DB_PORT_6379_TCP_ADDR=10.0.0.2', 'MY_DB_PORT_6379_TCP_PORT=6379', 'MY_DB_PORT_6379_TCP_PROTO=tcp',
      'MY_DB_PORT_6380_TCP=tcp://10.0.0.2:6380', 'MY_DB_PORT_6380_TCP_ADDR=10.0.0.2', 'MY_DB_PORT_6380_TCP_PORT=6380', 'MY_DB_PORT_6380_TCP_PROTO=tcp',
      'MY_DB_PORT_6381_TCP=tcp://10.0.0.2:6381', 'MY_DB_PORT_6381_TCP_ADDR=10.0.0.2', 'MY_DB_PORT_6381_TCP_PORT=6381', 'MY_DB_PORT_6381_TCP_PROTO=tcp',
      'MY_DB_PORT_53_UDP=udp://10.0.0.2:53', 'MY_DB_PORT_53_UDP_ADDR=10.0.0.2', 'MY_DB_PORT_53_UDP_PORT=53', 'MY_DB_PORT_53_UDP_PROTO=udp',
      'MY_DB_PORT_6379_TCP_START=tcp://10.0.0.2:6379', 'MY_DB_PORT_6379_TCP_PORT_START=6379',
      'MY_DB_PORT_6379_TCP_END=tcp://10.0.0.2:6381', 'MY_DB_PORT_6379_TCP_PORT_END=6381',
      'MY_DB_NAME=/me/my-db', 'MY_DB_ENV_A=1', 'MY_DB_ENV_B=x=y',
    ]);
  });
  it('a run that ends the list is closed too; no ports, no _PORT', () => {
    const env = linkEnvVars('1.2.3.4', '/p/x', [], ['81/tcp', '80/tcp']);
    assert.deepEqual(env.filter((e) => /START|END/.test(e)), ['X_PORT_80_TCP_START=tcp://1.2.3.4:80', 'X_PORT_80_TCP_PORT_START=80', 'X_PORT_80_TCP_END=tcp://1.2.3.4:81', 'X_PORT_80_TCP_PORT_END=81']);
    assert.deepEqual(linkEnvVars('1.2.3.4', '/p/x', [], []), ['X_NAME=/p/x']);
  });
});

describe('childrenFirst', () => {
  it('orders linked containers before the containers linking to them, keeping the rest in order', () => {
    const c = (id: string, links: string[] = []) => ({ rec: { ID: id, Links: links.map((l) => ({ ID: l, Name: `/${id}/${l}` })) } }) as unknown as Parameters<typeof childrenFirst>[0][number];
    const order = childrenFirst([c('p', ['a', 'b']), c('x'), c('b', ['a']), c('a'), c('q', ['gone'])]).map((x) => x.rec.ID);
    assert.deepEqual(order, ['a', 'b', 'p', 'x', 'q']);
  });
});
