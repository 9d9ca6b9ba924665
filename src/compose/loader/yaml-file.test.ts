// The YAML layer: positions, tags, merge keys, Go's octal ints, bad documents.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineOf, parseComposeYaml, Tagged } from './yaml-file.ts';

test('lines of keys and list items; the nearest known ancestor', () => {
  const { lines } = parseComposeYaml('services:\n  web:\n    image: x\n    ports:\n      - "80"\n      - "81"\n', 'f');
  assert.equal(lines.get('services.web'), 2);
  assert.equal(lines.get('services.web.ports.1'), 6);
  assert.equal(lineOf(lines, 'services.web.ports.1.target'), 6);
  assert.equal(lineOf(lines, 'nothing.here'), undefined);
});

test('!reset and !override are kept as tagged values; yes/on stay strings (YAML 1.2); 0755 is octal as in Go', () => {
  const { value } = parseComposeYaml('a: !reset []\nb: !override {c: 1}\nd: yes\ne: 0755\nf: "0755"\ng: 0x10\n', 'f');
  assert.ok(value.a instanceof Tagged && value.a.tag === '!reset');
  assert.ok(value.b instanceof Tagged && value.b.tag === '!override');
  assert.deepEqual((value.b as Tagged).value, { c: 1 });
  assert.equal(value.d, 'yes');
  assert.equal(value.e, 0o755);
  assert.equal(value.f, '0755');
  assert.equal(value.g, 16);
});

test('several documents merge in order', () => {
  assert.deepEqual(parseComposeYaml('a: 1\nb: 1\n---\nb: 2\n', 'f').value, { a: 1, b: 2 });
});

test('bad documents: syntax, duplicate keys, a top level that is not a mapping, alias bombs', () => {
  assert.throws(() => parseComposeYaml('a: [1, 2\n', '/p/c.yml'), /^Error: failed to parse \/p\/c\.yml: yaml: line \d+: /);
  assert.throws(() => parseComposeYaml('a: 1\na: 2\n', '/p/c.yml'), /^Error: failed to parse \/p\/c\.yml: yaml: line 2: Map keys must be unique/);
  assert.throws(() => parseComposeYaml('- a\n- b\n', '/p/c.yml'), { message: 'failed to parse /p/c.yml: top-level object must be a mapping' });
  let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 9; i++) bomb += `a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]\n`;
  assert.throws(() => parseComposeYaml(bomb, 'f'), { message: 'failed to parse: yaml: document contains excessive aliasing' });
});
