// The credential stores and encodings against docker/cli's behaviour: config.json's "auths"
// (base64 "auth", identity tokens, legacy URL keys), a credential helper driven through the real
// protocol (a fake docker-credential-test script on PATH), and X-Registry-Auth's encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliConfigFile } from '../framework/types.ts';
import { authConfigJson, authKeyForImage, convertToHostname, credentialStore, encodeAuthConfig, INDEX_SERVER, searchIndexKey } from './index.ts';
import type { StoreContext } from './index.ts';
import { decodeAuthField } from './auth-config.ts';

function ctxFor(config: CliConfigFile, env?: NodeJS.ProcessEnv): StoreContext & { saved: number; err: string } {
  const c = {
    config, configFile: '/x/config.json', saved: 0, err: '', env,
    async saveConfig() {
      c.saved++;
    },
    stderr: { write: (s: string) => (c.err += s) },
  };
  return c;
}

test('X-Registry-Auth is base64url JSON in Go field order, e30= when empty', () => {
  assert.equal(encodeAuthConfig({}), 'e30=');
  assert.equal(authConfigJson({ serveraddress: 's', username: 'u', password: 'p' }), '{"username":"u","password":"p","serveraddress":"s"}');
  // "?>?" encodes to "Pz4/" in standard base64: the URL alphabet has "_" for "/".
  const enc = encodeAuthConfig({ username: '?>?' });
  assert.ok(!enc.includes('/') && !enc.includes('+'));
  assert.equal(JSON.parse(Buffer.from(enc, 'base64url').toString()).username, '?>?');
});

test('the auth field decodes user:password (a colon in the password kept) and rejects junk', () => {
  assert.deepEqual(decodeAuthField(Buffer.from('u:p:q').toString('base64')), { username: 'u', password: 'p:q' });
  assert.throws(() => decodeAuthField(Buffer.from('nocolon').toString('base64')), /Invalid auth configuration file/);
});

test('registry keys: Docker Hub names use IndexServer, others host:port; search terms split like moby', () => {
  assert.equal(authKeyForImage('busybox'), INDEX_SERVER);
  assert.equal(authKeyForImage('user/app:1'), INDEX_SERVER);
  assert.equal(authKeyForImage('localhost:5000/a/b'), 'localhost:5000');
  assert.equal(authKeyForImage('reg.example.com/x@sha256:' + 'a'.repeat(64)), 'reg.example.com');
  assert.throws(() => authKeyForImage('Bad/Name'), /invalid reference format/);
  assert.equal(convertToHostname('https://h:1/v2/'), 'h:1');
  assert.equal(convertToHostname('h:1'), 'h:1');
  assert.equal(searchIndexKey('busybox'), INDEX_SERVER);
  assert.equal(searchIndexKey('user/app'), INDEX_SERVER);
  assert.equal(searchIndexKey('127.0.0.1:5000/app'), '127.0.0.1:5000');
  assert.equal(searchIndexKey('localhost/app'), 'localhost');
});

test('file store: store writes auth and drops the password field, get reads legacy URL keys, erase removes', async () => {
  const config: CliConfigFile = { auths: { 'https://old.example.com/v1/': { auth: Buffer.from('o:pw').toString('base64') } } };
  const ctx = ctxFor(config);
  const s = credentialStore(ctx, 'h:5000');
  await s.store({ username: 'u', password: 'p', serveraddress: 'h:5000' });
  assert.deepEqual(config.auths!['h:5000'], { auth: Buffer.from('u:p').toString('base64') });
  assert.match(ctx.err, /WARNING! Your credentials are stored unencrypted in '\/x\/config.json'/);
  assert.deepEqual(await s.get('h:5000'), { username: 'u', password: 'p', email: undefined, serveraddress: 'h:5000', identitytoken: undefined, registrytoken: undefined });
  assert.equal((await s.get('old.example.com')).username, 'o');
  assert.deepEqual(await s.get('nothing:1'), {});
  await s.store({ username: 'u', identitytoken: 'tok', serveraddress: 'i:1' });
  assert.deepEqual(config.auths!['i:1'], { auth: Buffer.from('u:').toString('base64'), identitytoken: 'tok' });
  await s.erase('h:5000');
  assert.equal(config.auths!['h:5000'], undefined);
  assert.equal(ctx.saved, 3);
});

test('credential helper: store/get/erase through the helper protocol, the file keeps an empty entry', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cred-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'db.json');
  writeFileSync(db, '{}');
  // A helper with docker-credential-helpers' protocol, keeping its secrets in db.json.
  writeFileSync(join(dir, 'docker-credential-test'), `#!/usr/bin/env node
const fs = require('fs');
const db = JSON.parse(fs.readFileSync(${JSON.stringify(db)}, 'utf8'));
const input = fs.readFileSync(0, 'utf8');
const save = () => fs.writeFileSync(${JSON.stringify(db)}, JSON.stringify(db));
switch (process.argv[2]) {
  case 'store': { const c = JSON.parse(input); db[c.ServerURL] = c; save(); break; }
  case 'get': if (!db[input]) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); } process.stdout.write(JSON.stringify(db[input])); break;
  case 'erase': if (!db[input]) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); } delete db[input]; save(); break;
  case 'list': process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(db).map(([k, v]) => [k, v.Username])))); break;
  default: process.stdout.write('unknown action'); process.exit(1);
}
`);
  chmodSync(join(dir, 'docker-credential-test'), 0o755);
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  const config: CliConfigFile = { credHelpers: { 'h:5000': 'test' } };
  const ctx = ctxFor(config, env);
  const s = credentialStore(ctx, 'h:5000');
  assert.deepEqual(await s.get('h:5000'), { serveraddress: 'h:5000', username: undefined, password: undefined, identitytoken: undefined });
  await s.store({ username: 'u', password: 'p', serveraddress: 'h:5000' });
  assert.deepEqual(JSON.parse(readFileSync(db, 'utf8'))['h:5000'], { ServerURL: 'h:5000', Username: 'u', Secret: 'p' });
  assert.deepEqual(config.auths, { 'h:5000': {} });
  assert.equal(ctx.err, '', 'no unencrypted warning with a helper');
  assert.deepEqual(await s.get('h:5000'), { email: undefined, serveraddress: 'h:5000', username: 'u', password: 'p' });
  // An identity token goes to the helper under the user name "<token>".
  await s.store({ username: 'u', identitytoken: 'idt', serveraddress: 'h:5000' });
  assert.equal(JSON.parse(readFileSync(db, 'utf8'))['h:5000'].Username, '<token>');
  assert.equal((await s.get('h:5000')).identitytoken, 'idt');
  await s.erase('h:5000');
  assert.deepEqual(JSON.parse(readFileSync(db, 'utf8')), {});
  assert.deepEqual(config.auths, {});
  await assert.rejects(s.erase('h:5000'), /error erasing credentials - err: exit status 1, out: `credentials not found in native keychain`/);
  // credsStore covers every registry without its own credHelpers entry; a missing program is Go's exec error.
  const other = credentialStore(ctxFor({ credsStore: 'absent' }, env), 'x:1');
  await assert.rejects(other.get('x:1'), /error getting credentials - err: exec: "docker-credential-absent": executable file not found in \$PATH/);
});
