// The pflag-compatible parser: a table of command lines and the values or errors docker's CLI
// gives for them (texts checked against docker 28.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseFlags, splitCsv } from './flags.ts';
import { formatGoDuration, parseGoDuration, parseGoInt } from './go-values.ts';
import type { FlagSpec } from './types.ts';

const specs: FlagSpec[] = [
  { name: 'all', short: 'a', type: 'bool', usage: '' },
  { name: 'quiet', short: 'q', type: 'bool', usage: '' },
  { name: 'rm', type: 'bool', usage: '' },
  { name: 'init', type: 'bool', usage: '', default: true },
  { name: 'last', short: 'n', type: 'int', usage: '', default: -1 },
  { name: 'tail', type: 'string', usage: '', default: 'all' },
  { name: 'env', short: 'e', type: 'list', usage: '' },
  { name: 'platform', type: 'csv', usage: '' },
  { name: 'cpus', type: 'float', usage: '' },
  { name: 'timeout', short: 't', type: 'duration', usage: '' },
  { name: 'time', type: 'int', usage: '', hidden: true },
];

const parse = (argv: string[], interspersed = true) => parseFlags(specs, argv, { interspersed });

test('values: long, short, grouped, attached and = forms', () => {
  const p = parse(['-aq', '--last=5', '--tail', '10', 'c1', '-e', 'A=1', '--env=B=2', 'c2', '-n7', '--platform', 'linux/amd64,linux/arm64', '--platform=x']);
  assert.deepEqual(p.args, ['c1', 'c2']);
  assert.equal(p.flags.bool('all'), true);
  assert.equal(p.flags.bool('quiet'), true);
  assert.equal(p.flags.int('last'), 7);
  assert.equal(p.flags.string('tail'), '10');
  assert.deepEqual(p.flags.list('env'), ['A=1', 'B=2']);
  assert.deepEqual(p.flags.list('platform'), ['linux/amd64', 'linux/arm64', 'x']);
  assert.equal(p.help, false);
});

test('defaults and changed()', () => {
  const p = parse(['--tail=']);
  assert.equal(p.flags.int('last'), -1);
  assert.equal(p.flags.bool('init'), true);
  assert.equal(p.flags.bool('rm'), false);
  assert.equal(p.flags.string('tail'), '');
  assert.equal(p.flags.changed('tail'), true);
  assert.equal(p.flags.changed('last'), false);
  assert.deepEqual(p.flags.list('env'), []);
  assert.throws(() => p.flags.bool('nope'), /flag accessed but not defined: nope/);
});

test('bools take =value only, never the next word', () => {
  const p = parse(['--rm=false', '--init=0', '-a=true', 'x']);
  assert.equal(p.flags.bool('rm'), false);
  assert.equal(p.flags.changed('rm'), true);
  assert.equal(p.flags.bool('init'), false);
  assert.equal(p.flags.bool('all'), true);
  assert.deepEqual(p.args, ['x']);
  assert.deepEqual(parse(['--rm', 'false']).args, ['false']);
});

test('-- ends the flags; a lone - is an argument', () => {
  const p = parse(['a', '--', '-q', '--rm', '-']);
  assert.deepEqual(p.args, ['a', '-q', '--rm', '-']);
  assert.equal(p.argsLenAtDash, 1);
  assert.equal(p.flags.bool('quiet'), false);
  assert.deepEqual(parse(['-', '-q']).args, ['-']);
});

test('stopAtFirstArg: flags after the first argument belong to it', () => {
  const p = parse(['-q', 'busybox', 'ls', '-a', '--rm'], false);
  assert.deepEqual(p.args, ['busybox', 'ls', '-a', '--rm']);
  assert.equal(p.flags.bool('quiet'), true);
  assert.equal(p.flags.bool('all'), false);
  assert.equal(parse(['busybox', '--help'], false).help, false);
});

test('durations and floats', () => {
  const p = parse(['-t', '1m30s', '--cpus', '1.5']);
  assert.equal(p.flags.duration('timeout'), 90e9);
  assert.equal(p.flags.float('cpus'), 1.5);
  assert.equal(parseGoDuration('1.5h'), 5400e9);
  assert.equal(parseGoDuration('-300ms'), -300e6);
  assert.equal(formatGoDuration(90e9), '1m30s');
  assert.equal(formatGoDuration(10e9), '10s');
  assert.equal(formatGoDuration(1500e6), '1.5s');
  assert.equal(formatGoDuration(3600e9), '1h0m0s');
});

test('Go integer syntax (strconv.ParseInt base 0)', () => {
  assert.equal(parseGoInt('0x10'), 16);
  assert.equal(parseGoInt('010'), 8);
  assert.equal(parseGoInt('1_000'), 1000);
  assert.equal(parseGoInt('-5'), -5);
  assert.throws(() => parseGoInt('1__0'), /invalid syntax/);
  assert.throws(() => parseGoInt('99999999999999999999'), /value out of range/);
});

test('help: --help, -h (noted as deprecated), --help=false', () => {
  assert.equal(parse(['--help']).help, true);
  const short = parse(['-h']);
  assert.equal(short.help, true);
  assert.equal(short.shortHelp, true);
  assert.equal(parse(['--help=false']).help, false);
  // A command that owns -h (run's --hostname) keeps it; --help still works.
  const own = parseFlags([{ name: 'hostname', short: 'h', type: 'string', usage: '' }], ['-h', 'box', '--help'], { interspersed: true });
  assert.equal(own.flags.string('hostname'), 'box');
  assert.equal(own.help, true);
});

// Each row: argv and docker's error text (docker 28.2, flags of `docker ps`/`logs`/`stop`).
const errors: [string[], string][] = [
  [['--foo'], 'unknown flag: --foo'],
  [['--foo=1'], 'unknown flag: --foo'],
  [['-x'], "unknown shorthand flag: 'x' in -x"],
  [['-ax'], "unknown shorthand flag: 'x' in -x"],
  [['--tail'], 'flag needs an argument: --tail'],
  [['-n'], "flag needs an argument: 'n' in -n"],
  [['-aqn'], "flag needs an argument: 'n' in -n"],
  [['--last', 'x'], 'invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax'],
  [['--time', 'x'], 'invalid argument "x" for "--time" flag: strconv.ParseInt: parsing "x": invalid syntax'],
  [['--all=maybe'], 'invalid argument "maybe" for "-a, --all" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
  [['-qa=x'], 'invalid argument "x" for "-a, --all" flag: strconv.ParseBool: parsing "x": invalid syntax'],
  [['-n', '99999999999999999999'], 'invalid argument "99999999999999999999" for "-n, --last" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range'],
  [['--cpus', 'a'], 'invalid argument "a" for "--cpus" flag: strconv.ParseFloat: parsing "a": invalid syntax'],
  [['-t', '5'], 'invalid argument "5" for "-t, --timeout" flag: time: missing unit in duration "5"'],
  [['-t', '5x'], 'invalid argument "5x" for "-t, --timeout" flag: time: unknown unit "x" in duration "5x"'],
  [['-t', 'x'], 'invalid argument "x" for "-t, --timeout" flag: time: invalid duration "x"'],
  [['---x'], 'bad flag syntax: ---x'],
  [['--=x'], 'bad flag syntax: --=x'],
  [['--help=x'], 'invalid argument "x" for "--help" flag: strconv.ParseBool: parsing "x": invalid syntax'],
];

for (const [argv, message] of errors) {
  test(`error: ${argv.join(' ')}`, () => {
    assert.throws(() => parse(argv), (err: unknown) => err instanceof FlagError && err.message === message);
  });
}

test('csv values split like a CSV record', () => {
  assert.deepEqual(splitCsv('a,b'), ['a', 'b']);
  assert.deepEqual(splitCsv('"a,b",c'), ['a,b', 'c']);
  assert.deepEqual(splitCsv(''), []);
});
