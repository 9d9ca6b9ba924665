import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { scanDockerfile } from './line-scanner.ts';
import type { Node } from './node.ts';
import { goQuote } from './go-text.ts';
import { parseDockerfile } from './parse.ts';

/** BuildKit's Node.Dump(). */
function dump(n: Node): string {
  let s = n.cmd.toLowerCase();
  if (n.flags.length > 0) s += ` [${n.flags.map(goQuote).join(' ')}]`;
  if (n.sub) return `${s} (${dump(n.sub)})`;
  for (const a of n.args) s += ` ${goQuote(a)}`;
  return s.trim();
}

const dir = new URL('./testdata/parser/', import.meta.url);

test('BuildKit parser testfiles: the AST dumps as BuildKit dumps it', () => {
  const names = readdirSync(dir);
  assert.ok(names.length >= 6);
  for (const name of names) {
    const df = readFileSync(new URL(`${name}/Dockerfile`, dir), 'utf8');
    const expected = readFileSync(new URL(`${name}/result`, dir), 'utf8');
    const got = scanDockerfile(df).nodes.map((n) => `(${dump(n)})\n`).join('');
    assert.equal(got, expected, name);
  }
});

test('continuations: joined as written, comments inside dropped, locations kept', () => {
  const { nodes, warnings } = scanDockerfile('FROM a\nRUN echo a && \\\n    # a comment\n    echo b\n\nRUN x\n');
  assert.equal(nodes[1].original, 'RUN echo a &&     echo b');
  assert.deepEqual([nodes[1].startLine, nodes[1].endLine], [2, 4]);
  assert.deepEqual([nodes[2].startLine, nodes[2].endLine], [6, 6]);
  assert.deepEqual(warnings, []);
  // an escaped escape token at the end does not continue the line
  assert.equal(scanDockerfile('FROM a\nRUN echo \\\\\nRUN b\n').nodes.length, 3);
  // a trailing escape token followed by blanks still continues it
  assert.equal(scanDockerfile('FROM a\nRUN echo \\  \t\nb\n').nodes[1].original, 'RUN echo b');
  // the last line may end in a continuation
  assert.equal(scanDockerfile('FROM a\nRUN echo \\').nodes[1].original, 'RUN echo ');
});

test('empty continuation lines are joined with a warning', () => {
  const { nodes, warnings } = scanDockerfile('FROM a\nRUN a \\\n\n   \nb\n');
  assert.equal(nodes[1].original, 'RUN a b');
  assert.deepEqual(warnings, [{ line: 5, message: 'Empty continuation line found in: RUN a b' }]);
  assert.deepEqual(parseDockerfile('FROM a\nRUN a \\\n\nb\n').warnings, [{ line: 4, message: 'Empty continuation line found in: RUN a b' }]);
});

test('leading whitespace, BOM and CRLF', () => {
  const { nodes } = scanDockerfile('\uFEFFFROM a\r\n   RUN echo a \\\r\n  b\r\n\t# c\r\nCMD x\r\n');
  assert.deepEqual(nodes.map((n) => n.original), ['FROM a', 'RUN echo a   b', 'CMD x']);
  assert.deepEqual(nodes.map((n) => n.startLine), [1, 2, 5]);
});

test('parser directives: top only, case-insensitive, escape token, duplicates refused', () => {
  let r = scanDockerfile('# syntax=docker/dockerfile:1.7\n#ESCAPE = `\n# check=skip=all\nFROM a\nRUN echo a `\n  b\n');
  assert.deepEqual(r.directives, { syntax: 'docker/dockerfile:1.7', escape: '`', check: 'skip=all' });
  assert.equal(r.escapeToken, '`');
  assert.equal(r.nodes[1].original, 'RUN echo a   b');
  // with ` as escape, a trailing backslash is a plain character
  assert.equal(scanDockerfile('# escape=`\nFROM a\nRUN dir c:\\\nRUN x\n').nodes.length, 3);
  // after an empty line, another comment or an instruction, directives are plain comments
  for (const text of ['\n# escape=`\nFROM a\nRUN a `\nb\n', '# hello\n# escape=`\nFROM a\nRUN a `\nb\n', 'FROM a\n# escape=`\nRUN a `\nb\n']) {
    r = scanDockerfile(text);
    assert.deepEqual(r.directives, {}, text);
    assert.equal(r.escapeToken, '\\');
    assert.equal(r.nodes.length, 3, text);
  }
  // an unknown directive ends the directives
  assert.deepEqual(scanDockerfile('# foo=bar\n# escape=`\nFROM a\n').directives, {});
  assert.throws(() => scanDockerfile('# escape=`\n# Escape=\\\nFROM a\n'), { message: 'only one escape parser directive can be used', line: 2 });
  assert.throws(() => scanDockerfile('# syntax=a\n# syntax=b\nFROM a\n'), { message: 'only one syntax parser directive can be used' });
  assert.throws(() => scanDockerfile('# escape=x\nFROM a\n'), { message: "invalid escape token 'x' does not match ` or \\", line: 1 });
});

test('heredocs: RUN, <<-, quoted delimiters, several, file descriptors', () => {
  const text = [
    'FROM alpine', 'ENV NAME=me', 'USER <<INVALID', 'INVALID', 'RUN <<EMPTY', 'EMPTY', 'RUN 3<<EMPTY2', 'EMPTY2', 'RUN "<<NOHEREDOC"',
    'RUN <<INDENT', '\tfoo', '\tbar', 'INDENT', 'RUN <<-UNINDENT', '\tbaz', '\tquux', '\tUNINDENT', "RUN <<-'NOEXPAND'", "\tdon't $NAME", 'NOEXPAND',
    'RUN <<COMMENT', '# internal comment', 'echo a # trailing', 'COMMENT', 'RUN --mount=type=cache,target=/c <<MOUNT', 'echo hi', 'MOUNT',
    'COPY <<X <<Y /dest', 'Y', 'X', 'X', 'Y', 'RUN ["<<EOF"]', 'RUN cat <<"A" <<B > out && \\', '  true', 'a $x', 'A', 'b $x', 'B', '',
  ].join('\n');
  const nodes = scanDockerfile(text).nodes;
  const docs = nodes.map((n) => n.heredocs.map((d) => [d.name, d.content, d.expand, d.chomp, d.fileDescriptor]));
  assert.deepEqual(docs, [
    [], [], [], [], // FROM, ENV, USER <<INVALID (no heredocs for USER), INVALID (an unknown instruction)
    [['EMPTY', '', true, false, undefined]],
    [['EMPTY2', '', true, false, 3]],
    [],
    [['INDENT', '\tfoo\n\tbar\n', true, false, undefined]],
    [['UNINDENT', '\tbaz\n\tquux\n', true, true, undefined]],
    [['NOEXPAND', "\tdon't $NAME\n", false, true, undefined]],
    [['COMMENT', '# internal comment\necho a # trailing\n', true, false, undefined]],
    [['MOUNT', 'echo hi\n', true, false, undefined]],
    [['X', 'Y\n', true, false, undefined], ['Y', 'X\n', true, false, undefined]],
    [],
    [['A', 'a $x\n', false, false, undefined], ['B', 'b $x\n', true, false, undefined]],
  ]);
  const last = nodes[nodes.length - 1];
  assert.equal(last.original, 'RUN cat <<"A" <<B > out &&   true');
  assert.deepEqual([last.startLine, last.endLine], [34, 39]);
});

test('heredoc errors and non-heredocs', () => {
  assert.throws(() => scanDockerfile('FROM a\nRUN <<EOF\necho\n'), { message: 'unterminated heredoc', line: 2, endLine: 3 });
  assert.throws(() => scanDockerfile('FROM a\nCOPY <<A <<B /d\nA\nb\n'), { message: 'unterminated heredoc' });
  // BuildKit's lexer fails on the unbalanced quote: no heredoc is read
  assert.equal(scanDockerfile("FROM a\nRUN <<'EOF\nEOF\n").nodes.length, 3);
  // CRLF bodies: the terminator matches without \r, the body keeps its line endings
  assert.equal(scanDockerfile('FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\n').nodes[1].heredocs[0].content, 'x\r\n');
});

test('whitespace is Go\'s: U+00A0 separates ENV words but not the instruction word, U+FEFF is no space', () => {
  assert.equal(scanDockerfile('FROM\u00a0a\n').nodes[0].cmd, 'FROM\u00a0a');
  assert.deepEqual(scanDockerfile('ENV A=1\u00a0B=2\n').nodes[0].args, ['A', '1', 'B', '2']);
  assert.equal(scanDockerfile('FROM a\n\uFEFFRUN x\n').nodes[1].cmd, '\uFEFFRUN');
});
