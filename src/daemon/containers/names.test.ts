import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NameRegistry, canonicalName, generateName, nameWords, randomName, validateContainerName } from './names.ts';

const valid = ['ab', 'web', '/web', 'my_app.1', 'a-b-c', 'A1', '0abc', 'x'.repeat(200)];
const invalid = ['', 'a', '/a', '_web', '-web', '.web', 'we b', 'web/x', '//web', 'wé', 'a:b', 'x'.repeat(300)];

for (const name of valid) {
  test(`valid container name ${JSON.stringify(name.slice(0, 20))}`, () => validateContainerName(name));
}
for (const name of invalid) {
  test(`invalid container name ${JSON.stringify(name.slice(0, 20))}`, () => {
    assert.throws(() => validateContainerName(name), (e: any) =>
      e.kind === 'InvalidParameter'
      && e.message.startsWith('Invalid container name (')
      && e.message.endsWith('), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'));
  });
}

test("the error quotes the name as given, like Docker", () => {
  assert.throws(() => validateContainerName('/bad name'), {
    message: 'Invalid container name (/bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed',
  });
});

test('canonicalName adds the leading slash once', () => {
  assert.equal(canonicalName('web'), '/web');
  assert.equal(canonicalName('/web'), '/web');
});

test('the word lists are decent, lowercase and unique', () => {
  assert.ok(nameWords.left.length >= 100);
  assert.ok(nameWords.right.length >= 150);
  for (const list of [nameWords.left, nameWords.right]) {
    assert.equal(new Set(list).size, list.length);
    for (const w of list) assert.match(w, /^[a-z]+$/);
  }
});

test('randomName is adjective_surname (never boring_wozniak), with a digit on retries', () => {
  for (let i = 0; i < 2000; i++) {
    const n = randomName(0);
    const [l, r, ...rest] = n.split('_');
    assert.equal(rest.length, 0);
    assert.ok(nameWords.left.includes(l), n);
    assert.ok(nameWords.right.includes(r), n);
    assert.notEqual(n, 'boring_wozniak');
    validateContainerName(n);
  }
  assert.match(randomName(1), /^[a-z]+_[a-z]+\d$/);
});

test('generateName returns a free name and retries with a digit on collisions', () => {
  assert.match(generateName(() => false), /^[a-z]+_[a-z]+$/);
  const asked: string[] = [];
  const n = generateName((name) => {
    asked.push(name);
    return !/\d$/.test(name); // every plain name is taken
  });
  assert.match(n, /^[a-z]+_[a-z]+\d$/);
  assert.equal(asked.length, 2);
});

test('generateName falls back to the short ID after 6 attempts, like Docker', () => {
  let calls = 0;
  const id = 'abcdef0123456789'.repeat(4);
  const n = generateName((name) => {
    calls++;
    return name !== 'abcdef012345';
  }, id);
  assert.equal(n, 'abcdef012345');
  assert.equal(calls, 7);
});

test('generateName gives up with a conflict when nothing is free', () => {
  assert.throws(() => generateName(() => true), (e: any) => e.kind === 'Conflict');
});

test('NameRegistry reserves, looks up (with or without slash) and releases', () => {
  const r = new NameRegistry();
  r.reserve('/web', 'id1');
  assert.equal(r.lookup('web'), 'id1');
  assert.equal(r.lookup('/web'), 'id1');
  r.reserve('web', 'id1'); // same owner: fine
  r.release('web');
  assert.equal(r.lookup('/web'), undefined);
  r.release('/never-reserved');
});

test("NameRegistry conflict uses Docker's message", () => {
  const r = new NameRegistry();
  const id = 'f'.repeat(64);
  r.reserve('db', id);
  assert.throws(() => r.reserve('/db', 'other'), (e: any) => e.kind === 'Conflict' && e.message ===
    `Conflict. The container name "/db" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`);
  assert.equal(r.lookup('db'), id);
});

test('NameRegistry rename moves the name, and keeps the old one on conflict', () => {
  const r = new NameRegistry();
  r.reserve('/a', 'id1');
  r.reserve('/b', 'id2');
  r.rename('/a', 'c');
  assert.equal(r.lookup('/a'), undefined);
  assert.equal(r.lookup('/c'), 'id1');
  assert.throws(() => r.rename('c', 'b'), (e: any) => e.kind === 'Conflict');
  assert.equal(r.lookup('/c'), 'id1');
  assert.equal(r.lookup('/b'), 'id2');
  assert.throws(() => r.rename('/nope', '/x'), (e: any) => e.kind === 'NotFound');
  r.rename('c', '/c'); // same name: no-op
  assert.equal(r.lookup('c'), 'id1');
});

test('NameRegistry namesOf / releaseAll / all', () => {
  const r = new NameRegistry();
  r.reserve('/app', 'id1');
  r.reserve('/other/alias', 'id1');
  r.reserve('/db', 'id2');
  assert.deepEqual(r.namesOf('id1').sort(), ['/app', '/other/alias']);
  r.releaseAll('id1');
  assert.deepEqual([...r.all()], [['/db', 'id2']]);
});
