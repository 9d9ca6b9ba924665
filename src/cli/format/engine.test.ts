// Template semantics the docker oracle can't show (docker's data is Go structs, berth's is JSON),
// and formatList's own rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatList, parseTemplate, TemplateError } from './index.ts';

const run = (t: string, data: unknown): string => parseTemplate(t).execute(data);

test('missing keys and nulls print <no value>, as Go does for JSON-decoded data', () => {
  const d = { A: { B: 1 }, N: null };
  assert.equal(run('{{.Nope}}|{{.A.Nope}}|{{.Nope.Deeper}}|{{.N}}', d), '<no value>|<no value>|<no value>|<no value>');
  assert.equal(run('{{printf "%v" .N}}|{{printf "%v" nil}}|{{json .N}}', d), '<nil>|<nil>|null');
  assert.throws(() => run('{{.N.X}}', d), { message: 'template: :1:4: executing "" at <.N.X>: nil pointer evaluating interface {}.X' });
  assert.throws(() => parseTemplate('{{.Nope}}', { missingKey: 'error' }).execute(d), /map has no entry for key "Nope"/);
});

test('numbers: integers print as Go ints, other numbers as float64 %v', () => {
  assert.equal(run('{{.I}} {{.F}} {{.Big}} {{.Tiny}}', { I: 1_000_000, F: 0.1 + 0.2, Big: 1.5e21, Tiny: 0.00001 }), '1000000 0.30000000000000004 1.5e+21 1e-05');
  assert.equal(run('{{100000.0}} {{1234567.0}} {{0.5}}', {}), '100000 1.234567e+06 0.5');
  assert.equal(run('{{printf "%d %.1f %5.2f%%" .I .F .F}}', { I: 7, F: 2.25 }), '7 2.2  2.25%');
  // ties round to even on the exact binary value, as Go's strconv does
  assert.equal(run('{{printf "%.0f %.0f %.1f %.2f %.2e %.3g" 0.5 1.5 0.25 1.005 1.125 1.0625}}', {}), '0 2 0.2 1.00 1.12e+00 1.06');
});

test('rows may be class instances with getters and methods', () => {
  class Row {
    readonly labels = { a: '1', b: '2' };
    get ID(): string {
      return 'abcdef';
    }
    Label(name: string): string {
      return (this.labels as Record<string, string>)[name] ?? '';
    }
  }
  assert.equal(run('{{.ID}} {{.Label "b"}} {{.Label "zz"}}|{{"a" | .Label}}', new Row()), 'abcdef 2 |1');
});

test('range: maps in key order, $ is the root, variables live until their end', () => {
  const d = { M: { b: 2, a: 1, c: 3 }, L: [1, 2, 3, 4], Name: 'n' };
  assert.equal(run('{{range $k, $v := .M}}{{$k}}{{$v}}{{$.Name}} {{end}}', d), 'a1n b2n c3n ');
  assert.equal(run('{{range .L}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', d), '13');
  assert.equal(run('{{$x := 0}}{{range .L}}{{$x = .}}{{end}}{{$x}}', d), '4');
  assert.equal(run('{{range $i, $e := .L}}{{range $j, $f := $.L}}{{if lt $j $i}}.{{end}}{{end}}{{$e}}{{end}}', d), '1.2..3...4');
  assert.equal(run('{{range .Nope}}x{{else}}empty{{end}}', d), 'empty');
  assert.throws(() => parseTemplate('{{range .L}}{{end}}{{$e}}'), { message: 'template: :1: undefined variable "$e"' });
});

test('trim markers eat all surrounding whitespace', () => {
  assert.equal(run('a \n\t {{- "b" -}} \n c {{- /* note */ -}} d', {}), 'abcd');
  assert.equal(run('{{ .A }} {{- .B }}', { A: 1, B: 2 }), '12');
});

test('parse errors say where', () => {
  assert.throws(() => parseTemplate('ok\n{{.A | nope}}'), (e: unknown) => e instanceof TemplateError && e.message === 'template: :2: function "nope" not defined');
  assert.throws(() => parseTemplate('{{if .A}}x{{else}}y{{else}}z{{end}}'), /expected end; found \{\{else\}\}/);
  assert.throws(() => parseTemplate('{{break}}'), /\{\{break\}\} outside \{\{range\}\}/);
});

const PS = {
  defaultFormat: 'table {{.ID}}\t{{.Names}}',
  headers: { ID: 'CONTAINER ID', Names: 'NAMES', Labels: 'LABELS' },
  quietField: 'ID',
};

test('formatList: table, custom, json and quiet', () => {
  const rows = [{ ID: 'abc', Names: 'one', Labels: 'x=<y>' }, { ID: 'defghijklmnop', Names: 'two', Labels: '' }];
  assert.equal(formatList(rows, { ...PS, format: '' }), 'CONTAINER ID    NAMES\nabc             one\ndefghijklmnop   two\n');
  assert.equal(formatList(rows, { ...PS, format: '{{.Names}}' }), 'one\ntwo\n');
  assert.equal(formatList(rows, { ...PS, format: 'json' }),
    '{"ID":"abc","Names":"one","Labels":"x=\\u003cy\\u003e"}\n{"ID":"defghijklmnop","Names":"two","Labels":""}\n');
  assert.equal(formatList(rows, { ...PS, format: '{{json .Labels}}' }), '"x=<y>"\n""\n');
  assert.equal(formatList(rows, { ...PS, format: '{{.Names}}', quiet: true }), 'abc\ndefghijklmnop\n');
  assert.equal(formatList([], { ...PS, format: '' }), 'CONTAINER ID   NAMES\n');
  assert.equal(formatList([], { ...PS, format: '{{.ID}}' }), '');
});

test('formatList: headers go through the header functions; errors carry docker\'s prefix', () => {
  const rows = [{ ID: 'abc', Names: 'one' }];
  assert.equal(formatList(rows, { ...PS, format: 'table {{lower .ID}}\t{{pad .Names 1 1}}|' }), 'CONTAINER ID    NAMES |\nabc             one |\n');
  // docker ignores a header's error and keeps what was written before it
  class Row {
    readonly ID = 'abc';
    Short(n: number): string {
      return this.ID.slice(0, n);
    }
  }
  assert.equal(formatList([new Row()], { ...PS, format: 'table {{.ID}}\t{{.Short 2}}' }), 'CONTAINER ID   \nabc            ab\n');
  // a label's column is titled by the last part of its name, as docker's SubHeaderContext.Label does
  const labelled = [{ ID: 'abc', Label: (name: string) => (name === 'com.example.some-thing_x' ? 'yes' : '') }];
  assert.equal(formatList(labelled, { ...PS, format: 'table {{.ID}}\t{{.Label "com.example.some-thing_x"}}' }), 'CONTAINER ID   some thing x\nabc            yes\n');
  assert.throws(() => formatList(rows, { ...PS, format: '{{.Foo}}' }),
    { message: 'template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"' });
  assert.throws(() => formatList(rows, { ...PS, format: 'table {{.ID' }), { message: 'template parsing error: template: :1: unclosed action' });
  const ps = { rowType: '*formatter.ContainerContext', preflightRow: { ID: '', Names: '' } };
  assert.throws(() => formatList(rows, { ...PS, ...ps, format: 'table {{.ID}}\\t{{.Foo}}' }),
    { message: 'failed to execute template: template: :1:17: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext' });
  assert.throws(() => formatList(rows, { ...PS, ...ps, format: '{{.ID' }), (e: unknown) =>
    e instanceof TemplateError && e.phase === 'parse' && e.detail === 'template: :1: unclosed action' && e.message === `failed to parse template: ${e.detail}`);
});
