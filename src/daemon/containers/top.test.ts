import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parsePsOutput, psPidsArg, splitPsArgs, topOf, validatePsArgs } from './top.ts';

// moby's TestContainerTopValidatePSArgs table (true = error expected).
const argCases: [string, boolean][] = [
  ['ae -o uid=PID', true],
  ['ae -o "uid= PID"', true], // ascii space
  ['ae -o "uid=\u2003PID"', false], // unicode space is not \s in Go's RE2
  ['ae o uid=PID', true],
  ['aeo uid=PID', true],
  ['ae -O uid=PID', true],
  ['ae -o pid=PID2 -o uid=PID', true],
  ['ae -o pid=PID', false],
  ['ae -o pid=PID -o uid=PIDX', true],
  ['aeo pid=PID', false],
  ['ae', false],
  ['', false],
  ['-ef', false],
  ['aux --no-headers', true],
  ['-e --noheading', true],
];
for (const [args, wantErr] of argCases) {
  test(`validatePsArgs(${JSON.stringify(args)})`, () => {
    if (wantErr) assert.throws(() => validatePsArgs(args), (e: any) => e.kind === 'System');
    else validatePsArgs(args);
  });
}

test("validatePsArgs messages are Docker's", () => {
  assert.throws(() => validatePsArgs('ae -o uid=PID'), { message: 'specifying "uid=PID" is not allowed' });
  assert.throws(() => validatePsArgs('-ef --no-headers'), { message: 'option --no-headers is not allowed' });
});

test('splitPsArgs / psPidsArg', () => {
  assert.deepEqual(splitPsArgs(''), ['-ef']);
  assert.deepEqual(splitPsArgs('aux -o pid'), ['aux', '-o', 'pid']);
  assert.equal(psPidsArg([1, 2, 3]), '-q1,2,3');
});

// moby's TestContainerTopParsePSOutput table (current version).
const parseErrCases: [string, string, number[], string | boolean][] = [
  ['plain', '  PID COMMAND\n   42 foo\n   43 bar\n    - -\n  100 baz\n', [42, 43], false],
  ['no PID column', '  UID COMMAND\n   42 foo\n   43 bar\n    - -\n  100 baz\n', [42, 43], "Couldn't find PID field in ps output"],
  ['unicode space before PID', '\u2003PID COMMAND\n   42 foo\n   43 bar\n    - -\n  100 baz\n', [42, 43], "Couldn't find PID field in ps output"],
  ['unicode then ascii space', '\u2003 PID COMMAND\n   42 foo\n   43 bar\n  100 baz\n', [42, 43], true],
];
for (const [name, out, pids, wantErr] of parseErrCases) {
  test(`parsePsOutput: ${name}`, () => {
    if (typeof wantErr === 'string') assert.throws(() => parsePsOutput(out, pids), (e: any) => e.kind === 'System' && e.message === wantErr);
    else if (wantErr) assert.throws(() => parsePsOutput(out, pids), (e: any) => e.kind === 'System');
    else parsePsOutput(out, pids);
  });
}

test('parsePsOutput keeps the container PIDs and their thread rows', () => {
  const r = parsePsOutput('  PID COMMAND\n   42 foo\n   43 bar\n    - -\n  100 baz\n    - -\n', [42, 43]);
  assert.deepEqual(r.Titles, ['PID', 'COMMAND']);
  assert.deepEqual(r.Processes, [['42', 'foo'], ['43', 'bar'], ['-', '-']]);
});

test('parsePsOutput on `ps -ef`: the CMD column keeps its words', () => {
  const out = [
    'UID          PID    PPID  C STIME TTY          TIME CMD',
    'root           1       0  0 10:00 ?        00:00:01 /sbin/init splash',
    'root        4242    4200  0 10:01 ?        00:00:00 sh -c while true; do sleep 1; done',
    'root        4243    4242  0 10:01 ?        00:00:00 sleep 1',
    '',
  ].join('\n');
  const r = parsePsOutput(out, [4242, 4243]);
  assert.deepEqual(r.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(r.Processes, [
    ['root', '4242', '4200', '0', '10:01', '?', '00:00:00', 'sh -c while true; do sleep 1; done'],
    ['root', '4243', '4242', '0', '10:01', '?', '00:00:00', 'sleep 1'],
  ]);
});

test('parsePsOutput splits every row on whitespace as moby does (numbers of other processes never shift columns)', () => {
  const out = [
    '    PID    VSZ   RSS COMMAND',
    '      1 168000 12000 systemd',
    '  16203   2268  1504 sleep',
    '',
  ].join('\n');
  assert.deepEqual(parsePsOutput(out, [16203]).Processes, [['16203', '2268', '1504', 'sleep']]);
  // A middle column with spaces shifts the rest, exactly as in dockerd: here the row is read
  // as pid 28808, so it is not the container's.
  const spaced = 'CMD                          PPID   PID\n/bin/bash /st 28808             1 15468\n';
  assert.deepEqual(parsePsOutput(spaced, [15468]).Processes, []);
});

test('parsePsOutput: a PID that is not a number is an error', () => {
  assert.throws(() => parsePsOutput('  PID CMD\n  abc sh\n', [1]), {
    message: "Unexpected pid 'abc': strconv.Atoi: parsing \"abc\": invalid syntax",
  });
});

test('parsePsOutput: short rows do not crash', () => {
  const r = parsePsOutput('  PID TTY      STAT   TIME COMMAND\n    7\n    8 ?        S      0:00 sleep 9\n', [7, 8]);
  assert.deepEqual(r.Processes, [['7', ''], ['8', '?', 'S', '0:00', 'sleep 9']]);
  assert.throws(() => parsePsOutput('  UID  PID CMD\n  root\n', [7]), (e: any) => e.kind === 'System');
});

test('parsePsOutput: non-ASCII commands survive', () => {
  const r = parsePsOutput('  PID CMD\n    5 écho ünïcode\n', [5]);
  assert.deepEqual(r.Processes, [['5', 'écho ünïcode']]);
});

test('parsePsOutput: no rows for an empty pid list', () => {
  assert.deepEqual(parsePsOutput('  PID CMD\n    1 init\n', []).Processes, []);
});

test('parsePsOutput on the real ps of this machine finds our own process', { skip: !existsSync('/bin/ps') && !existsSync('/usr/bin/ps') }, () => {
  for (const args of ['-ef', 'aux', '-eo pid,args']) {
    const out = execFileSync('ps', splitPsArgs(args), { encoding: 'utf8', maxBuffer: 64 << 20 });
    const r = parsePsOutput(out, [process.pid]);
    assert.equal(r.Processes.length, 1, args);
    const row = r.Processes[0];
    assert.equal(row.length, r.Titles.length);
    assert.equal(row[r.Titles.indexOf('PID')], String(process.pid));
    assert.match(row[row.length - 1], /node/, args);
  }
});

test('topOf asks ps for the container\'s pids, retries without them, and reports ps\'s own error', async () => {
  const calls: string[][] = [];
  const ps = async (args: string[]) => {
    calls.push(args);
    return 'UID        PID CMD\nroot         1 init\nroot         7 sleep 60\n';
  };
  assert.deepEqual(await topOf([7], '', ps), { Titles: ['UID', 'PID', 'CMD'], Processes: [['root', '7', 'sleep 60']] });
  await topOf([7, 8], 'aux -o pid', ps);
  assert.deepEqual(calls, [['-ef', '-q7'], ['aux', '-o', 'pid', '-q7,8']]);
  calls.length = 0;
  const noQ = async (args: string[]) => {
    calls.push(args);
    if (args.some((a) => a.startsWith('-q'))) throw new Error('conflicting options');
    return '  PID CMD\n    7 sleep 60\n';
  };
  assert.deepEqual((await topOf([7], 'f', noQ)).Processes, [['7', 'sleep 60']]);
  assert.deepEqual(calls, [['f', '-q7'], ['f']]);
  await assert.rejects(topOf([7], '--bogus', async () => {
    throw Object.assign(new Error('Command failed: ps --bogus'), { stderr: 'error: unknown gnu long option\n\nUsage:\n ps [options]\n' });
  }), (e: any) => e.kind === 'System' && e.message === 'ps: error: unknown gnu long option');
});
