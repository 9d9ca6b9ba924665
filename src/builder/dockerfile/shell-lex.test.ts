import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ShellLexError } from './errors.ts';
import { ShellLex } from './shell-lex.ts';

const data = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8').split('\n');

test('processWord: BuildKit envVarTest cases', () => {
  const env = new Map([['PWD', '/home'], ['SHELL', 'bash'], ['KOREAN', '한국어']]);
  const lex = new ShellLex('\\');
  let n = 0;
  for (const line of data('env-var-cases.txt')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [source, expected] = line.split('|').map((s) => s.trim());
    n++;
    if (expected === 'error') {
      assert.throws(() => lex.processWord(source, env), ShellLexError, `input: ${source}`);
    } else {
      assert.equal(lex.processWord(source, env).word, expected, `input: ${source}`);
    }
  }
  assert.ok(n > 100);
});

test('processWords: BuildKit wordsTest cases', () => {
  const env = new Map<string, string>();
  const lex = new ShellLex('\\');
  let n = 0;
  for (const line of data('words-cases.txt')) {
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('ENV ')) {
      const kv = line.slice(3).replace(/^ +/, '');
      const i = kv.indexOf('=');
      env.set(kv.slice(0, i), kv.slice(i + 1));
      continue;
    }
    const [input, out] = line.split('|');
    const expected = out.replace(/^ +/, '').split(',');
    let result: string[];
    try {
      result = lex.processWords(input.trim(), env);
    } catch {
      result = ['error'];
    }
    assert.deepEqual(result, expected, `input: ${input}`);
    n++;
  }
  assert.ok(n > 20);
});

test('processWord reports the variables used, set and unset', () => {
  const lex = new ShellLex('\\');
  const r = lex.processWord('$A ${B:-x} ${C} \\$D \'$E\'', (n) => (n === 'A' || n === 'C' ? 'v' : undefined));
  assert.equal(r.word, 'v x v $D $E');
  assert.deepEqual([...r.matched].sort(), ['A', 'C']);
  assert.deepEqual([...r.unmatched].sort(), ['B']);
});

test('modifiers without colon treat empty as set; with colon as unset', () => {
  const lex = new ShellLex('\\');
  const env = new Map([['E', ''], ['V', 'val']]);
  const w = (s: string) => lex.processWord(s, env).word;
  assert.equal(w('${E-def}'), '');
  assert.equal(w('${E:-def}'), 'def');
  assert.equal(w('${U-def}'), 'def');
  assert.equal(w('${E+alt}'), 'alt');
  assert.equal(w('${E:+alt}'), '');
  assert.equal(w('${V+alt}'), 'alt');
  assert.equal(w('${U+alt}'), '');
  assert.equal(w('${V?boom}'), 'val');
  assert.equal(w('${E?boom}'), '');
  assert.throws(() => w('${U?}'), { message: 'failed to process "${U?}": U: is not allowed to be unset' });
  assert.throws(() => w('${U?custom msg}'), { message: 'failed to process "${U?custom msg}": U: custom msg' });
  assert.throws(() => w('${E:?}'), { message: 'failed to process "${E:?}": E: is not allowed to be empty' });
  assert.throws(() => w('${U:?gone}'), { message: 'failed to process "${U:?gone}": U: gone' });
  assert.throws(() => w('${V:=x}'), { message: 'failed to process "${V:=x}": unsupported modifier (:=) in substitution' });
  assert.throws(() => w('${V:#x}'), { message: 'failed to process "${V:#x}": unsupported modifier (:#) in substitution' });
  assert.throws(() => w('${}'), { message: 'failed to process "${}": syntax error: bad substitution' });
  assert.throws(() => w('${V'), { message: 'failed to process "${V": syntax error: missing \'}\'' });
  assert.throws(() => w('"abc'), { message: 'failed to process "\\"abc": unexpected end of statement while looking for matching double-quote' });
});

test('prefix and suffix removal with glob patterns', () => {
  const lex = new ShellLex('\\');
  const env = new Map([['P', 'foo.tar.gz'], ['D', '/usr/local/bin'], ['S', 'a*b*c']]);
  const w = (s: string) => lex.processWord(s, env).word;
  assert.equal(w('${P#*.}'), 'tar.gz');
  assert.equal(w('${P##*.}'), 'gz');
  assert.equal(w('${P%.*}'), 'foo.tar');
  assert.equal(w('${P%%.*}'), 'foo');
  assert.equal(w('${D#/usr}'), '/local/bin');
  assert.equal(w('${D%/*}'), '/usr/local');
  assert.equal(w('${D##*/}'), 'bin');
  assert.equal(w('${P#nomatch}'), 'foo.tar.gz');
  assert.equal(w('${P#f?o}'), '.tar.gz');
  assert.equal(w('${S#a\\*}'), 'b*c');
  assert.equal(w('${S%\\*c}'), 'a*b');
  assert.equal(w('${U#x}'), '');
  assert.throws(() => w('${P#\\x}'), /invalid pattern/);
});

test('pattern replacement, first and all', () => {
  const lex = new ShellLex('\\');
  const env = new Map([['V', 'a-b-c'], ['Q', 'x.y']]);
  const w = (s: string) => lex.processWord(s, env).word;
  assert.equal(w('${V/-/_}'), 'a_b-c');
  assert.equal(w('${V//-/_}'), 'a_b_c');
  assert.equal(w('${V//?/x}'), 'xxxxx');
  assert.equal(w('${V/b*/z}'), 'a-z');
  assert.equal(w('${Q//./}'), 'xy');
  assert.equal(w('${V/x/y}'), 'a-b-c');
  assert.equal(w('${U/x/y}'), '');
  assert.throws(() => w('${V/a'), { message: 'failed to process "${V/a": syntax error: missing \'/\' in ${}' });
  assert.throws(() => w('${V/a/b'), { message: 'failed to process "${V/a/b": syntax error: missing \'}\'' });
});

test('the backtick escape token', () => {
  const lex = new ShellLex('`');
  const env = new Map([['V', 'x']]);
  assert.equal(lex.processWord('c:\\path`$V', env).word, 'c:\\path$V');
  assert.equal(lex.processWord('"a`"b"', env).word, 'a"b');
  assert.equal(lex.processWord('$V\\n', env).word, 'x\\n');
  assert.deepEqual(lex.processWords('a` b c', env), ['a b', 'c']);
});

test('special parameters and digits end a name', () => {
  const lex = new ShellLex('\\');
  const env = new Map([['A', '1']]);
  assert.equal(lex.processWord('$$A', env).word, 'A');
  assert.equal(lex.processWord('$12x', env).word, 'x');
  assert.equal(lex.processWord('$A_b', env).word, '');
  assert.equal(lex.processWord('$ A', env).word, '$ A');
});

test('raw quotes, raw escapes and skipping unset variables', () => {
  const raw = new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  assert.deepEqual(raw.processWords(`RUN <<'EOF' \\$x "$y" $z \${w:-d}`, new Map([['z', 'Z']])), [
    'RUN', "<<'EOF'", '\\$x', '"$y"', 'Z', '${w:-d}',
  ]);
});

test('processWords keeps text around an expansion with a modifier in one word', () => {
  const lex = new ShellLex('\\');
  assert.deepEqual(lex.processWords('a${X:-b}c d', new Map()), ['abc', 'd']);
});

test('skipProcessQuotes: quotes are plain characters (heredoc bodies), variables and escapes still processed', () => {
  const lex = new ShellLex('\\', { skipProcessQuotes: true });
  const env = new Map([['NAME', 'me']]);
  assert.equal(lex.processWord(`echo "hi $NAME" '$NAME'\n`, env).word, `echo "hi me" 'me'\n`);
  assert.equal(lex.processWord('a \\$NAME "unterminated', env).word, 'a $NAME "unterminated');
  assert.equal(new ShellLex('\\').processWord(`'$NAME'`, env).word, '$NAME');
});

test('BuildKit TestProcessWithMatches cases: modifiers, patterns, matched and unmatched variables', () => {
  const lex = new ShellLex('\\');
  type Case = [input: string, env: Record<string, string>, expected: string | Error, matched?: string[], unmatched?: string[]];
  const E = new Error();
  const cases: Case[] = [
    ['x', { DUMMY: 'dummy' }, 'x'],
    ['x ${UNUSED}', { DUMMY: 'dummy' }, 'x ', [], ['UNUSED']],
    ['x ${FOO}', { FOO: 'y' }, 'x y', ['FOO']],
    ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx  ccc', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx bbb ccc', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:-}', { FOO: 'xxx', BAR: '' }, 'xxx', ['FOO']],
    ['${FOO:-}', {}, '', [], ['FOO']],
    ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa bbb ', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa  ', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO?aaa}', { FOO: 'xxx', BAR: '' }, 'xxx', ['FOO']],
    ['${BAR?bbb}', { FOO: 'xxx', BAR: '' }, '', ['BAR']],
    ['${BAZ?ccc}', { FOO: 'xxx', BAR: '' }, E],
    ['${FOO:?aaa}', { FOO: 'xxx', BAR: '' }, 'xxx', ['FOO']],
    ['${BAR:?bbb}', { FOO: 'xxx', BAR: '' }, E],
    ['${BAZ:?ccc}', { FOO: 'xxx', BAR: '' }, E],
    ['${BAZ:?}', { FOO: 'xxx', BAR: '' }, E],
    ['${FOO=aaa}', { FOO: 'xxx', BAR: '' }, E],
    ['${FOO=:aaa}', { FOO: 'xxx', BAR: '' }, E],
    ['${FOO=}', {}, E],
    ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x', ['FOO']],
    ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx', ['FOO']],
    ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y', ['FOO']],
    ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy', ['FOO']],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy', ['FOO', 'BAR']],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy', ['FOO', 'BAR']],
    ['${FOO#}', { FOO: 'xxyy' }, 'xxyy', ['FOO']],
    ['${FOO##*x}', { FOO: 'xxyy' }, 'yy', ['FOO']],
    ['${FOO##}', { FOO: 'xxyy' }, 'xxyy', ['FOO']],
    ['${FOO#?\\?}', { FOO: '???y' }, '?y', ['FOO']],
    ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.', ['FOO'], ['ABC']],
    ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a', ['FOO']],
    ['${FOO%}', { FOO: 'xxyy' }, 'xxyy', ['FOO']],
    ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy', ['FOO', 'BAR']],
    ['${FOO:#}', {}, E],
    ['${FOO:##}', {}, E],
    ['${FOO:%}', {}, E],
    ['${FOO:%%}', {}, E],
    ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt', ['FOO', 'NEEDLE']],
    ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt', ['FOO', 'NEEDLE']],
    ['${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}', { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' }, '/foo/b/c.txt - /foo/c.txt', ['FOO', 'NEEDLE', 'REPLACEMENT']],
    ['${FOO/$NEEDLE/$REPLACEMENT}', { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' }, 'https://google.de', ['FOO', 'NEEDLE', 'REPLACEMENT']],
    ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt', ['FOO']],
    ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy', ['FOO', 'BAR']],
    ['${FOO//ww}', { FOO: 'xxyy' }, E],
    ['${FOO//}', { FOO: 'xxyy' }, E],
    ['${FOO///}', { FOO: 'xxyy' }, 'xxyy', ['FOO']],
    ['${FOO///}', {}, '', [], ['FOO']],
    ['something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz',
      { VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm', TARGETVARIANT: 'v7' }, 'something-v1.2.3.linux-arm-v7.tar.gz',
      ['VERSION', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT']],
  ];
  for (const [input, env, expected, matched = [], unmatched = []] of cases) {
    const map = new Map(Object.entries(env));
    if (expected instanceof Error) {
      assert.throws(() => lex.processWord(input, map), ShellLexError, input);
      continue;
    }
    const r = lex.processWord(input, map);
    assert.equal(r.word, expected, input);
    assert.deepEqual([...r.matched].sort(), [...matched].sort(), input);
    assert.deepEqual([...r.unmatched].sort(), [...unmatched].sort(), input);
  }
});

test('BuildKit TestShellParserMandatoryEnvVars', () => {
  const lex = new ShellLex('\\');
  const set = new Map([['VAR', 'plain'], ['ARG', 'x']]);
  const empty = new Map([['VAR', ''], ['ARG', 'x']]);
  const unset = new Map([['ARG', 'x']]);
  assert.equal(lex.processWord('${VAR:?message here$ARG}', set).word, 'plain');
  assert.throws(() => lex.processWord('${VAR:?message here$ARG}', empty), /VAR: message herex/);
  assert.throws(() => lex.processWord('${VAR:?message here$ARG}', unset), /VAR: message herex/);
  assert.equal(lex.processWord('${VAR?message here$ARG}', set).word, 'plain');
  assert.equal(lex.processWord('${VAR?message here$ARG}', empty).word, '');
  assert.throws(() => lex.processWord('${VAR?message here$ARG}', unset), /VAR: message herex/);
});
