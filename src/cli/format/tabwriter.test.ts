// Go's own tabwriter cases (the ones for flags docker uses: none, with a non-tab pad char), each
// written at once and one character at a time, plus the parameters docker's tables use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringWidth, TabWriter } from './tabwriter.ts';

const GO_CASES: [name: string, minwidth: number, padding: number, padchar: string, src: string, expected: string][] = [
  ['1a', 8, 1, '.', '', ''],
  ['2', 8, 1, '.', '\n\n\n', '\n\n\n'],
  ['3', 8, 1, '.', 'a\nb\nc', 'a\nb\nc'],
  ['4a', 8, 1, '.', '\t', ''],
  ['5', 8, 1, '.', '*\t*', '*.......*'],
  ['5b', 8, 1, '.', '*\t*\n', '*.......*\n'],
  ['5c', 8, 1, '.', '*\t*\t', '*.......*'],
  ['6', 8, 1, '.', '\t\n', '........\n'],
  ['7a', 8, 1, '.', 'a) foo', 'a) foo'],
  ['7b', 8, 1, ' ', 'b) foo\tbar', 'b) foo  bar'],
  ['7c', 8, 1, '.', 'c) foo\tbar\t', 'c) foo..bar'],
  ['7d', 8, 1, '.', 'd) foo\tbar\n', 'd) foo..bar\n'],
  ['7e', 8, 1, '.', 'e) foo\tbar\t\n', 'e) foo..bar.....\n'],
  ['8', 8, 1, '*', 'Hello, world!\n', 'Hello, world!\n'],
  ['9a', 1, 0, '.', '1\t2\t3\t4\n11\t222\t3333\t44444\n', '1.2..3...4\n11222333344444\n'],
  ['9c', 1, 0, '.', '1\t2\t3\t4\f11\t222\t3333\t44444\n', '1234\n11222333344444\n'],
  ['10a', 5, 0, '.', '1\t2\t3\t4\n', '1....2....3....4\n'],
  ['10b', 5, 0, '.', '1\t2\t3\t4\t\n', '1....2....3....4....\n'],
  ['11', 8, 1, '.', '本\tb\tc\naa\t本本本\tcccc\tddddd\naaa\tbbbb\n', '本......b.......c\naa......本本本..cccc....ddddd\naaa.....bbbb\n'],
  ['12b', 2, 0, ' ', 'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', 'a  b  c\naa bbbcccc\naaabbbb\n'],
  ['12c', 8, 1, '_', 'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', 'a_______b_______c\naa______bbb_____cccc\naaa_____bbbb\n'],
  ['13a', 4, 1, '-', '4444\t日本語\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
    '4444------日本語-22--1---333\n999999999-22\n7---------22\n------------------88888888\n\n666666-666666-666666----4444\n1------1------999999999-0000000000\n'],
  ['13b', 4, 3, '.', '4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
    '4444........333...22...1...333\n999999999...22\n7...........22\n....................88888888\n\n666666...666666...666666......4444\n1........1........999999999...0000000000\n'],
  ['15a', 4, 0, '.', 'a\t\tb', 'a.......b'],
];

for (const [name, minwidth, padding, padchar, src, expected] of GO_CASES) {
  test(`go tabwriter case ${name}`, () => {
    const all = new TabWriter(minwidth, 0, padding, padchar);
    all.write(src);
    assert.equal(all.flush(), expected);
    const bytewise = new TabWriter(minwidth, 0, padding, padchar);
    let out = '';
    for (const ch of src) {
      bytewise.write(ch);
    }
    out += bytewise.flush();
    assert.equal(out, expected);
  });
}

test("docker's table parameters: columns are the widest cell + 3, at least 10", () => {
  const tw = new TabWriter(10, 1, 3, ' ');
  tw.write('CONTAINER ID\tNAMES\nabc\tx\n');
  assert.equal(tw.flush(), 'CONTAINER ID   NAMES\nabc            x\n');
});

test('a line without tabs ends the column block above it', () => {
  const tw = new TabWriter(10, 1, 3, ' ');
  tw.write('a\tb\nlonger-than-ten\tc\nplain\nx\ty\n');
  assert.equal(tw.flush(), 'a                 b\nlonger-than-ten   c\nplain\nx         y\n');
});

test('stringWidth counts East Asian wide characters twice and combining marks not at all', () => {
  assert.equal(stringWidth('abc'), 3);
  assert.equal(stringWidth('日本語'), 6);
  assert.equal(stringWidth('e\u0301'), 1);
  assert.equal(stringWidth('héllo ✓'), 7);
});
