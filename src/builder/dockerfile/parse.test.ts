import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind } from '../../common/index.ts';
import { parseDockerfile, parseInstructionLine } from './parse.ts';
import type { ArgInstruction, CopyInstruction, HealthcheckInstruction, Instruction, KeyValueInstruction, RunInstruction } from './types.ts';

/** The instructions of the first stage. */
const body = (text: string): Instruction[] => parseDockerfile(text).stages[0].instructions;
const one = (line: string): Instruction => body(`FROM scratch\n${line}\n`)[0];

function fails(text: string, message: string, line?: number): void {
  assert.throws(
    () => parseDockerfile(text),
    (err: unknown) => {
      assert.equal(errorKind(err), 'InvalidParameter');
      assert.equal((err as Error).message, message);
      if (line !== undefined) assert.equal((err as { line: number }).line, line);
      return true;
    },
  );
}

test('FROM with stage names and --platform; stages and meta ARGs', () => {
  const df = parseDockerfile('ARG V=1\nARG W\nfrom busybox:${V} AS Build\nRUN true\nFROM --platform=linux/amd64 alpine\nFROM build as final\n');
  assert.deepEqual(df.metaArgs.map((a) => a.args), [[{ key: 'V', value: '1' }], [{ key: 'W' }]]);
  assert.equal(df.stages.length, 3);
  assert.equal(df.stages[0].name, 'build');
  assert.equal(df.stages[0].from.image, 'busybox:${V}');
  assert.equal(df.stages[0].from.stageName, 'build');
  assert.equal(df.stages[0].instructions.length, 1);
  assert.equal(df.stages[1].name, undefined);
  assert.equal(df.stages[1].from.platform, 'linux/amd64');
  assert.deepEqual(df.stages[1].from.flags, [{ name: 'platform', value: 'linux/amd64' }]);
  assert.equal(df.stages[2].from.image, 'build');
  assert.deepEqual(df.stages[0].from.loc, { start: 3, end: 3 });
});

test('FROM errors', () => {
  fails('FROM\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments', 1);
  fails('FROM a b\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments');
  fails('FROM a AS b c\n', 'dockerfile parse error on line 1: FROM requires either one or three arguments');
  fails('FROM a AS 1st\n', `dockerfile parse error on line 1: invalid name for build stage: "1st", name can't start with a number or contain symbols`);
  fails('FROM a AS b$c\n', `dockerfile parse error on line 1: invalid name for build stage: "b$c", name can't start with a number or contain symbols`);
  fails('FROM --plaform=x a\n', 'dockerfile parse error on line 1: unknown flag: --plaform (did you mean platform?)');
  fails('FROM --platform a\n', 'dockerfile parse error on line 1: missing a value on flag: platform');
  assert.equal(parseDockerfile('FROM a AS my-stage_1.x\n').stages[0].name, 'my-stage_1.x');
});

test('instruction before FROM, ARG-only file, empty file', () => {
  fails('# c\nRUN echo\nFROM a\n', 'no build stage in current context', 2);
  fails('ARG A\nARG B=2\n', 'dockerfile contains no stages to build');
  fails('', 'file with no instructions');
  fails('# only a comment\n\n   \n', 'file with no instructions', 3);
});

test('unknown instruction, with a suggestion when close', () => {
  fails('FROM a\nFOOO bar\n', 'dockerfile parse error on line 2: unknown instruction: FOOO (did you mean FROM?)', 2);
  fails('FROM a\n\nADDD . .\n', 'dockerfile parse error on line 3: unknown instruction: ADDD (did you mean ADD?)', 3);
  fails('FROM a\nrunn x\n', 'dockerfile parse error on line 2: unknown instruction: runn (did you mean run?)');
  fails('FORM a\n', 'dockerfile parse error on line 1: unknown instruction: FORM (did you mean FROM?)');
});

test('instruction names are case-insensitive', () => {
  const [r, c] = body('from a\nrun echo hi\nCmd ["x"]\n');
  assert.equal(r.kind, 'RUN');
  assert.equal(c.kind, 'CMD');
  assert.equal(r.original, 'run echo hi');
});

test('RUN shell and exec form; invalid JSON falls back to shell form', () => {
  assert.deepEqual((one('RUN echo "a  b"') as { command: unknown }).command, { form: 'shell', cmd: 'echo "a  b"', heredocs: [] });
  assert.deepEqual((one('RUN ["echo", "a b"]') as { command: unknown }).command, { form: 'exec', args: ['echo', 'a b'] });
  assert.deepEqual((one('RUN ["echo", a]') as { command: unknown }).command, { form: 'shell', cmd: '["echo", a]', heredocs: [] });
  assert.deepEqual((one("RUN ['echo']") as { command: unknown }).command, { form: 'shell', cmd: "['echo']", heredocs: [] });
  assert.deepEqual((one('RUN ["echo" "x"]') as { command: unknown }).command, { form: 'shell', cmd: '["echo" "x"]', heredocs: [] });
  // like Go's json.Decoder, text after the array is ignored
  assert.deepEqual((one('CMD ["a"] trailing') as { command: unknown }).command, { form: 'exec', args: ['a'] });
  assert.deepEqual((one('CMD []') as { command: unknown }).command, { form: 'exec', args: [] });
  assert.deepEqual((one('ENTRYPOINT  [ "x" , "\\u0041" ]') as { command: unknown }).command, { form: 'exec', args: ['x', 'A'] });
  fails('FROM a\nCMD ["a", 1]\n', 'when using JSON array syntax, arrays must be comprised of strings only', 2);
  fails('FROM a\nCMD [["a"]]\n', 'when using JSON array syntax, arrays must be comprised of strings only', 2);
});

test('RUN flags: --mount repeatable, --network, --security, unknown flags', () => {
  const r = one('RUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --network=none --security=insecure make') as RunInstruction;
  assert.deepEqual(r.mounts, ['type=cache,target=/c', 'type=tmpfs,target=/t']);
  assert.equal(r.network, 'none');
  assert.equal(r.security, 'insecure');
  assert.deepEqual(r.command, { form: 'shell', cmd: 'make', heredocs: [] });
  assert.equal(r.flags.length, 4);
  const q = one('RUN --mount="type=bind,source=a b" -- --notaflag') as RunInstruction;
  assert.deepEqual(q.mounts, ['type=bind,source=a b']);
  assert.deepEqual(q.command, { form: 'shell', cmd: '--notaflag', heredocs: [] });
  fails('FROM a\nRUN --foo=bar echo\n', 'dockerfile parse error on line 2: unknown flag: --foo');
  fails('FROM a\nRUN --mont=x echo\n', 'dockerfile parse error on line 2: unknown flag: --mont (did you mean mount?)');
  fails('FROM a\nRUN --network=bridge echo\n', 'dockerfile parse error on line 2: invalid network mode "bridge"');
  fails('FROM a\nRUN --security=x echo\n', 'dockerfile parse error on line 2: security "x" is not valid');
  fails('FROM a\nRUN --network=none --network=host echo\n', 'dockerfile parse error on line 2: duplicate flag specified: network');
  fails('FROM a\nRUN --mount echo\n', 'dockerfile parse error on line 2: missing a value on flag: mount');
});

test('COPY and ADD: sources, dest, flags', () => {
  const c = one('COPY --from=build --chown=1:2 --chmod=644 --link --parents --exclude=*.md --exclude=x a b /dst/') as CopyInstruction;
  assert.deepEqual(c.sources, ['a', 'b']);
  assert.equal(c.dest, '/dst/');
  assert.equal(c.from, 'build');
  assert.equal(c.chown, '1:2');
  assert.equal(c.chmod, '644');
  assert.equal(c.link, true);
  assert.equal(c.parents, true);
  assert.deepEqual(c.exclude, ['*.md', 'x']);
  const j = one('COPY ["a b", "/c d/"]') as CopyInstruction;
  assert.deepEqual([j.sources, j.dest, j.link], [['a b'], '/c d/', false]);
  const a = one('ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false --link=false http://x/y.tgz /') as CopyInstruction;
  assert.equal(a.checksum, 'sha256:abc');
  assert.equal(a.keepGitDir, true);
  assert.equal(a.unpack, false);
  assert.equal(a.link, false);
  assert.equal(a.kind, 'ADD');
  const plain = one('ADD a b') as CopyInstruction;
  assert.equal(plain.unpack, undefined);
  assert.equal(plain.keepGitDir, undefined);
  fails('FROM a\nCOPY a\n', 'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined');
  fails('FROM a\nADD\n', 'dockerfile parse error on line 2: ADD requires at least two arguments, but only one was provided. Destination could not be determined');
  fails('FROM a\nCOPY --checksum=x a b\n', 'dockerfile parse error on line 2: unknown flag: --checksum');
  fails('FROM a\nADD --from=x a b\n', 'dockerfile parse error on line 2: unknown flag: --from');
  fails('FROM a\nCOPY --link=maybe a b\n', 'dockerfile parse error on line 2: expecting boolean value for flag link, not: maybe');
  fails('FROM a\nCOPY --link= a b\n', 'dockerfile parse error on line 2: missing a value on flag: link');
  fails('FROM a\nCOPY --from=a --from=b a b\n', 'dockerfile parse error on line 2: duplicate flag specified: from');
});

test('ENV: k=v pairs, the legacy `k v` form, errors', () => {
  const e = one('ENV A=1 B="two words" C=a\\ b D=') as KeyValueInstruction;
  assert.deepEqual(e.pairs, [
    { key: 'A', value: '1' },
    { key: 'B', value: '"two words"' },
    { key: 'C', value: 'a\\ b' },
    { key: 'D', value: '' },
  ]);
  const legacy = one('ENV PATH /usr/bin:$PATH  and more') as KeyValueInstruction;
  assert.deepEqual(legacy.pairs, [{ key: 'PATH', value: '/usr/bin:$PATH  and more' }]);
  fails('FROM a\nENV A=1 B\n', `Syntax error - can't find = in "B". Must be of the form: name=value`, 2);
  fails('FROM a\nENV ONLY\n', 'ENV must have two arguments', 2);
  fails('FROM a\nENV =x\n', 'dockerfile parse error on line 2: ENV names can not be blank');
  fails('FROM a\nENV\n', 'dockerfile parse error on line 2: ENV requires at least one argument');
});

test('LABEL like ENV', () => {
  const l = one('LABEL "com.x"="a b" version=1.0') as KeyValueInstruction;
  assert.deepEqual(l.pairs, [{ key: '"com.x"', value: '"a b"' }, { key: 'version', value: '1.0' }]);
  fails('FROM a\nLABEL\n', 'dockerfile parse error on line 2: LABEL requires at least one argument');
  fails('FROM a\nLABEL x\n', 'LABEL must have two arguments');
});

test('ARG: name, name=value, several', () => {
  const a = one('ARG A B=2 C="x y" D=') as ArgInstruction;
  assert.deepEqual(a.args, [{ key: 'A' }, { key: 'B', value: '2' }, { key: 'C', value: '"x y"' }, { key: 'D', value: '' }]);
  fails('FROM a\nARG\n', 'dockerfile parse error on line 2: ARG requires at least one argument');
  fails('FROM a\nARG =1\n', 'dockerfile parse error on line 2: ARG names can not be blank');
});

test('EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, MAINTAINER', () => {
  assert.deepEqual((one('EXPOSE 8080 80/tcp 53/udp') as { values: string[] }).values, ['53/udp', '80/tcp', '8080']);
  assert.deepEqual((one('VOLUME /a /b') as { values: string[] }).values, ['/a', '/b']);
  assert.deepEqual((one('VOLUME ["/a b", "/c"]') as { values: string[] }).values, ['/a b', '/c']);
  assert.equal((one('USER app:staff') as { value: string }).value, 'app:staff');
  assert.equal((one('WORKDIR /my dir') as { value: string }).value, '/my dir');
  assert.equal((one('STOPSIGNAL SIGKILL') as { value: string }).value, 'SIGKILL');
  assert.equal((one('MAINTAINER Jane <j@x>') as { value: string }).value, 'Jane <j@x>');
  fails('FROM a\nEXPOSE\n', 'dockerfile parse error on line 2: EXPOSE requires at least one argument');
  fails('FROM a\nVOLUME\n', 'dockerfile parse error on line 2: VOLUME requires at least one argument');
  fails('FROM a\nVOLUME [""]\n', 'dockerfile parse error on line 2: VOLUME specified can not be an empty string');
  fails('FROM a\nUSER\n', 'dockerfile parse error on line 2: USER requires exactly one argument');
  fails('FROM a\nWORKDIR\n', 'dockerfile parse error on line 2: WORKDIR requires exactly one argument');
  fails('FROM a\nSTOPSIGNAL\n', 'dockerfile parse error on line 2: STOPSIGNAL requires exactly one argument');
  fails('FROM a\nMAINTAINER\n', 'dockerfile parse error on line 2: MAINTAINER requires exactly one argument');
  fails('FROM a\nUSER --x=1 me\n', 'dockerfile parse error on line 2: unknown flag: --x');
});

test('SHELL takes JSON only', () => {
  assert.deepEqual((one('SHELL ["/bin/bash", "-c"]') as { shell: string[] }).shell, ['/bin/bash', '-c']);
  fails('FROM a\nSHELL /bin/bash -c\n', 'dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form');
  fails('FROM a\nSHELL []\n', 'dockerfile parse error on line 2: SHELL requires at least one argument');
  fails('FROM a\nSHELL\n', 'dockerfile parse error on line 2: SHELL requires at least one argument');
});

test('CMD and ENTRYPOINT', () => {
  assert.deepEqual(one('CMD echo $HOME'), {
    kind: 'CMD', loc: { start: 2, end: 2 }, original: 'CMD echo $HOME', flags: [],
    command: { form: 'shell', cmd: 'echo $HOME', heredocs: [] },
  });
  assert.deepEqual((one('ENTRYPOINT ["/bin/tini", "--"]') as { command: unknown }).command, { form: 'exec', args: ['/bin/tini', '--'] });
  fails('FROM a\nCMD --x=1 a\n', 'dockerfile parse error on line 2: unknown flag: --x');
});

test('HEALTHCHECK: NONE, CMD shell and exec, flags and their checks', () => {
  assert.equal((one('HEALTHCHECK NONE') as { command?: unknown }).command, undefined);
  const h = one('HEALTHCHECK --interval=30s --timeout=3s --start-period=1m --start-interval=2s --retries=3 CMD curl -f http://x/ || exit 1') as HealthcheckInstruction;
  assert.deepEqual(h.command, { form: 'shell', cmd: 'curl -f http://x/ || exit 1', heredocs: [] });
  assert.deepEqual([h.interval, h.timeout, h.startPeriod, h.startInterval, h.retries], ['30s', '3s', '1m', '2s', '3']);
  assert.deepEqual((one('healthcheck cmd ["true"]') as { command: unknown }).command, { form: 'exec', args: ['true'] });
  fails('FROM a\nHEALTHCHECK\n', 'dockerfile parse error on line 2: HEALTHCHECK requires at least one argument');
  fails('FROM a\nHEALTHCHECK NONE x\n', 'dockerfile parse error on line 2: HEALTHCHECK NONE takes no arguments');
  fails('FROM a\nHEALTHCHECK CMD\n', 'dockerfile parse error on line 2: Missing command after HEALTHCHECK CMD');
  fails('FROM a\nHEALTHCHECK RUN x\n', 'dockerfile parse error on line 2: Unknown type "RUN" in HEALTHCHECK (try CMD)');
  fails('FROM a\nHEALTHCHECK --interval=abc CMD x\n', 'dockerfile parse error on line 2: time: invalid duration "abc"');
  fails('FROM a\nHEALTHCHECK --timeout=10us CMD x\n', 'dockerfile parse error on line 2: Interval "timeout" cannot be less than 1ms');
  fails('FROM a\nHEALTHCHECK --retries=-1 CMD x\n', 'dockerfile parse error on line 2: --retries cannot be negative (-1)');
  fails('FROM a\nHEALTHCHECK --retries=x CMD x\n', 'dockerfile parse error on line 2: strconv.ParseInt: parsing "x": invalid syntax');
  fails('FROM a\nHEALTHCHECK --intervl=1s CMD x\n', 'dockerfile parse error on line 2: unknown flag: --intervl (did you mean interval?)');
});

test('ONBUILD keeps its trigger; chaining and FROM/MAINTAINER refused', () => {
  assert.equal((one('ONBUILD RUN echo "hi"') as { trigger: string }).trigger, 'RUN echo "hi"');
  assert.equal((one('onbuild   ADD . /app') as { trigger: string }).trigger, 'ADD . /app');
  fails('FROM a\nONBUILD ONBUILD RUN x\n', "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  fails('FROM a\nONBUILD FROM b\n', "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger");
  fails('FROM a\nONBUILD maintainer me\n', "dockerfile parse error on line 2: MAINTAINER isn't allowed as an ONBUILD trigger");
  fails('FROM a\nONBUILD\n', 'dockerfile parse error on line 2: ONBUILD requires at least one argument');
  const h = body('FROM a\nONBUILD RUN <<EOF\necho on\nEOF\n')[0] as { trigger: string; loc: unknown };
  assert.equal(h.trigger, 'RUN <<EOF\necho on\nEOF');
  assert.deepEqual(h.loc, { start: 2, end: 4 });
});

test('parseInstructionLine parses a stored ONBUILD trigger, heredoc included', () => {
  const r = parseInstructionLine('RUN <<EOF\necho on\nEOF') as RunInstruction;
  assert.deepEqual(r.command, { form: 'shell', cmd: '<<EOF', heredocs: [{ name: 'EOF', content: 'echo on\n', expand: true }] });
  const c = parseInstructionLine('COPY --chown=1 . /app');
  assert.equal(c.kind, 'COPY');
  assert.throws(() => parseInstructionLine('XYZZY x'), { message: 'dockerfile parse error on line 1: unknown instruction: XYZZY' });
  assert.throws(() => parseInstructionLine(''), { message: 'file with no instructions' });
  assert.throws(() => parseInstructionLine('RUN a\nRUN b'), { message: 'expected one instruction, found 2' });
});

test('heredocs in the syntax tree: RUN body, COPY sources, <<- stripped, no expansion when quoted', () => {
  const [run, copy, add, json] = body(
    "FROM a\nRUN <<-EOF bash\n\techo $X\n\t\tindented\n\tEOF\nCOPY --chmod=600 <<'one' plain <<-two /d/\n$one\none\n\ttwo $t\ntwo\nADD <<x /f\nhi\nx\nRUN [\"<<EOF\"]\n",
  ) as [RunInstruction, CopyInstruction, CopyInstruction, RunInstruction];
  assert.deepEqual(run.command, { form: 'shell', cmd: '<<-EOF bash', heredocs: [{ name: 'EOF', content: 'echo $X\nindented\n', expand: true }] });
  assert.deepEqual(run.loc, { start: 2, end: 5 });
  assert.deepEqual(copy.sources, ['plain']);
  assert.deepEqual(copy.heredocs, [
    { name: 'one', content: '$one\n', expand: false },
    { name: 'two', content: 'two $t\n', expand: true },
  ]);
  assert.equal(copy.dest, '/d/');
  assert.equal(copy.chmod, '600');
  assert.deepEqual(add.heredocs, [{ name: 'x', content: 'hi\n', expand: true }]);
  assert.deepEqual(json.command, { form: 'exec', args: ['<<EOF'] });
  const fd = one('RUN 3<<EOF cat /dev/fd/3\nx\nEOF') as RunInstruction;
  assert.deepEqual(fd.command, { form: 'shell', cmd: '3<<EOF cat /dev/fd/3', heredocs: [{ name: 'EOF', content: 'x\n', expand: true, fileDescriptor: 3 }] });
  // a word that fails to lex is an ordinary source (BuildKit MustParseHeredoc)
  assert.deepEqual((one("COPY [\"<<'bad\", \"/d\"]") as CopyInstruction).sources, ["<<'bad"]);
  fails('FROM a\nCOPY a <<EOF\nx\nEOF\n', 'dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination', 2);
  fails('FROM a\nRUN <<EOF\nnever ends\n', 'unterminated heredoc', 2);
});

test('errors name the first line of a multi-line instruction', () => {
  assert.throws(() => parseDockerfile('FROM a\n\nRUN --bad=1 \\\n  echo\n'), (err: unknown) => {
    assert.equal((err as Error).message, 'dockerfile parse error on line 3: unknown flag: --bad');
    assert.deepEqual([(err as { line: number }).line, (err as { endLine: number }).endLine], [3, 4]);
    return true;
  });
});

test('original is the joined line, trimmed, as the classic build stream prints it', () => {
  const [r] = body('FROM a\n  RUN echo a &&   \\\n    echo b   \n');
  assert.equal(r.original, 'RUN echo a &&       echo b');
});

test('RUN --mount values are checked for syntax at parse time, the rest at dispatch', () => {
  assert.deepEqual((one('RUN --mount=type=cache,id=$ID,target=/c true') as RunInstruction).mounts, ['type=cache,id=$ID,target=/c']);
  // an unknown type or key waits for dispatch (values may hold variables)
  assert.deepEqual((one('RUN --mount=type=$T,zzz=1 true') as RunInstruction).mounts, ['type=$T,zzz=1']);
  fails('FROM a\nRUN --mount=type=bind,from=$STAGE true\n', "dockerfile parse error on line 2: 'from' doesn't support variable expansion, define alias stage instead");
  fails('FROM a\nRUN --mount=type=cache,nokey true\n', "dockerfile parse error on line 2: invalid field 'nokey' must be a key=value pair");
  fails('FROM a\nRUN --mount=\'a"b\' true\n', 'dockerfile parse error on line 2: failed to parse csv mounts: parse error on line 1, column 2: bare " in non-quoted-field');
});

test('the escape token in force is in the result', () => {
  assert.equal(parseDockerfile('FROM a\n').escapeToken, '\\');
  assert.equal(parseDockerfile('# escape=`\nFROM a\n').escapeToken, '`');
});

test('a line longer than 64KiB ends the file with BuildKit\'s error', () => {
  fails(`FROM a\nRUN ${'x'.repeat(70000)}\n`, 'dockerfile line greater than max allowed size of 65535', 1);
  fails(`RUN ${'x'.repeat(70000)}\n`, 'file with no instructions');
});

test('with the Dockerfile name, errors of the text itself are worded as the classic builder words them', () => {
  const named = (text: string) => () => parseDockerfile(text, { name: 'Dockerfile.dev' });
  assert.throws(named(''), { message: 'the Dockerfile (Dockerfile.dev) cannot be empty' });
  assert.throws(named('\n# c\n'), { message: 'failed to parse Dockerfile.dev: file with no instructions' });
  assert.throws(named('FROM a\nRUN <<EOF\n'), { message: 'failed to parse Dockerfile.dev: unterminated heredoc', line: 2 });
  // instruction errors keep their own wording
  assert.throws(named('FROM a\nFOOBAR\n'), { message: 'dockerfile parse error on line 2: unknown instruction: FOOBAR' });
  assert.equal(parseDockerfile('FROM a\n', { name: 'Dockerfile' }).stages.length, 1);
  // ARGs only: no stages, no error (the classic builder fails after printing their steps)
  const argsOnly = parseDockerfile('ARG A=1\nARG B\n', { name: 'Dockerfile' });
  assert.deepEqual([argsOnly.stages.length, argsOnly.metaArgs.length], [0, 2]);
  assert.throws(named('ARG A\nRUN x\nFROM a\n'), { message: 'no build stage in current context', line: 2 });
  // without the name, an empty text is BuildKit's error
  assert.throws(() => parseDockerfile(''), { message: 'file with no instructions' });
});
