// Each instruction's effect on the image config and its history line, as dockerd 20.10's
// classic builder writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, FakeContext, harness, type BuildOutcome } from './fakes.test-helpers.ts';

async function run(dockerfile: string, files: Record<string, string> = {}, setup?: (h: Awaited<ReturnType<typeof harness>>) => void): Promise<BuildOutcome> {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    setup?.(h);
    return await build(h, new FakeContext(dockerfile, files));
  } finally {
    await h.cleanup();
  }
}

const lastHistory = (r: BuildOutcome) => r.image!.config.history!.at(-1)!;

test('ENV replaces in place and keeps the order; values expand with the env before the step', async () => {
  const r = await run('FROM busybox\nENV A=1 B=2\nENV A=x${B} C="a b"\n');
  assert.equal(r.error, undefined);
  assert.deepEqual(r.image!.config.config!.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=x2', 'B=2', 'C=a b']);
  assert.equal(lastHistory(r).created_by, '/bin/sh -c #(nop)  ENV A=x2 C=a b');
  assert.equal(lastHistory(r).empty_layer, true);
});

test('LABEL, MAINTAINER, USER, STOPSIGNAL, VOLUME, SHELL', async () => {
  const r = await run('FROM busybox\nLABEL a=1 "b c"=d\nMAINTAINER Jo <jo@x>\nUSER app\nSTOPSIGNAL SIGKILL\nVOLUME /data ["/x", "/y"]\nSHELL ["/bin/bash", "-c"]\nCMD echo hi\n');
  assert.equal(r.error, undefined, r.error?.message);
  const c = r.image!.config;
  assert.deepEqual(c.config!.Labels, { a: '1', 'b c': 'd' });
  assert.equal(c.author, 'Jo <jo@x>');
  assert.equal(c.config!.User, 'app');
  assert.equal(c.config!.StopSignal, 'SIGKILL');
  assert.deepEqual(c.config!.Shell, ['/bin/bash', '-c']);
  assert.deepEqual(c.config!.Cmd, ['/bin/bash', '-c', 'echo hi']);
  const h = c.history!.slice(1).map((e) => e.created_by);
  assert.equal(h[0], '/bin/sh -c #(nop)  LABEL a=1 b c=d');
  assert.equal(h[1], '/bin/sh -c #(nop)  MAINTAINER Jo <jo@x>');
  assert.equal(h[2], '/bin/sh -c #(nop)  USER app');
  assert.equal(h[3], '/bin/sh -c #(nop)  STOPSIGNAL SIGKILL');
  assert.equal(h[4]!.startsWith('/bin/sh -c #(nop)  VOLUME ['), true);
  // moby sets the shell before committing: the SHELL line itself already runs through it
  assert.equal(h[5], '/bin/bash -c #(nop)  SHELL [/bin/bash -c]');
  // after SHELL, the #(nop) lines use the new shell, as moby's getShell
  assert.equal(h[6], '/bin/bash -c #(nop)  CMD ["/bin/bash" "-c" "echo hi"]');
  assert.equal(c.history!.at(-1)!.author, 'Jo <jo@x>');
});

test('VOLUME forms and an empty volume', async () => {
  const r = await run('FROM busybox\nVOLUME /data /logs\n');
  assert.deepEqual(r.image!.config.config!.Volumes, { '/data': {}, '/logs': {} });
  assert.equal(lastHistory(r).created_by, '/bin/sh -c #(nop)  VOLUME [/data /logs]');
  const bad = await run('FROM busybox\nENV E=\nVOLUME $E\n');
  assert.equal(bad.error?.message, 'VOLUME specified can not be an empty string');
});

test('EXPOSE: default tcp, ranges, protocols, multi-word expansion, bad specs', async () => {
  const r = await run('FROM busybox\nENV P="81 82/udp"\nEXPOSE 80 $P 9000-9002/tcp\n');
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(Object.keys(r.image!.config.config!.ExposedPorts!), ['80/tcp', '81/tcp', '82/udp', '9000/tcp', '9001/tcp', '9002/tcp']);
  // BuildKit's parser sorts the words as written ($P before 80), then they expand
  assert.equal(lastHistory(r).created_by, '/bin/sh -c #(nop)  EXPOSE 81 82/udp 80 9000-9002/tcp');
  assert.equal((await run('FROM busybox\nEXPOSE 80/xyz\n')).error?.message, 'Invalid proto: xyz');
  assert.equal((await run('FROM busybox\nEXPOSE abc\n')).error?.message, 'Invalid containerPort: abc');
  assert.equal((await run('FROM busybox\nEXPOSE 70000\n')).error?.message, 'Invalid containerPort: 70000');
});

test('STOPSIGNAL refuses an unknown signal', async () => {
  assert.equal((await run('FROM busybox\nSTOPSIGNAL SIGFOO\n')).error?.message, 'Invalid signal: SIGFOO');
  assert.equal((await run('FROM busybox\nSTOPSIGNAL 9\n')).error, undefined);
});

test('WORKDIR: relative to the previous one, a layer only when the directory was made', async () => {
  const r = await run('FROM busybox\nWORKDIR /a\nWORKDIR b\nWORKDIR /tmp\n');
  assert.equal(r.error, undefined);
  assert.equal(r.image!.config.config!.WorkingDir, '/tmp');
  const h = r.image!.config.history!.slice(1);
  assert.deepEqual(h.map((e) => e.created_by), ['/bin/sh -c #(nop) WORKDIR /a', '/bin/sh -c #(nop) WORKDIR /a/b', '/bin/sh -c #(nop) WORKDIR /tmp']);
  assert.deepEqual(h.map((e) => !!e.empty_layer), [false, false, true]);
  assert.equal(r.image!.config.rootfs.diff_ids.length, 3);
});

test('CMD and ENTRYPOINT: shell form through the shell; ENTRYPOINT drops an inherited CMD, keeps one set in the stage', async () => {
  const a = await run('FROM busybox\nENTRYPOINT ["/bin/app"]\n');
  assert.equal(a.image!.config.config!.Cmd, null);
  assert.deepEqual(a.image!.config.config!.Entrypoint, ['/bin/app']);
  assert.equal(lastHistory(a).created_by, '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/app"]');
  const b = await run('FROM busybox\nCMD ["-v"]\nENTRYPOINT /bin/app --x\n');
  assert.deepEqual(b.image!.config.config!.Cmd, ['-v']);
  assert.deepEqual(b.image!.config.config!.Entrypoint, ['/bin/sh', '-c', '/bin/app --x']);
  assert.equal(lastHistory(b).created_by, '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/sh" "-c" "/bin/app --x"]');
});

test('HEALTHCHECK: durations, defaults, NONE, history as %q of the struct, moby errors', async () => {
  const r = await run('FROM busybox\nHEALTHCHECK --interval=5m --timeout=3s --retries=3 CMD curl -f http://localhost/ || exit 1\n');
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.image!.config.config!.Healthcheck, { Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], Interval: 300e9, Timeout: 3e9, Retries: 3 });
  assert.equal(lastHistory(r).created_by, '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/ || exit 1"] "5m0s" "3s" "0s" \'\\x03\'}');
  const none = await run('FROM busybox\nHEALTHCHECK NONE\n');
  assert.deepEqual(none.image!.config.config!.Healthcheck, { Test: ['NONE'] });
  assert.equal(lastHistory(none).created_by, '/bin/sh -c #(nop)  HEALTHCHECK &{["NONE"] "0s" "0s" "0s" \'\\x00\'}');
  assert.match((await run('FROM busybox\nHEALTHCHECK --interval=1ns CMD true\n')).error!.message, /Interval "interval" cannot be less than 1ms$/);
  assert.match((await run('FROM busybox\nHEALTHCHECK --retries=0 CMD true\n')).error!.message, /--retries must be at least 1 \(not 0\)$/);
  assert.match((await run('FROM busybox\nHEALTHCHECK --timeout=abc CMD true\n')).error!.message, /time: invalid duration "abc"$/);
  const over = await run('FROM busybox\nHEALTHCHECK CMD a\nHEALTHCHECK CMD ["b"]\n');
  assert.match(over.text, /Note: overriding previous HEALTHCHECK: \[CMD-SHELL a\]\n/);
});

test('ONBUILD stores the trigger', async () => {
  const r = await run('FROM busybox\nONBUILD RUN echo hi\n');
  assert.deepEqual(r.image!.config.config!.OnBuild, ['RUN echo hi']);
  assert.equal(lastHistory(r).created_by, '/bin/sh -c #(nop)  ONBUILD RUN echo hi');
});

test('FROM scratch: PATH added, os/architecture set, " ---> " with no ID', async () => {
  const r = await run('FROM scratch\nENV A=1\n');
  assert.equal(r.error, undefined);
  assert.deepEqual(r.image!.config.config!.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1']);
  assert.equal(r.image!.config.os, 'linux');
  assert.ok(r.image!.config.architecture);
  assert.match(r.text, /Step 1\/2 : FROM scratch\n ---> \n/);
  assert.equal((await run('FROM scratch\n')).error?.message, 'No image was generated. Is your Dockerfile empty?');
});

test('FROM --platform=... scratch: the images get that platform', async () => {
  const r = await run('FROM --platform=linux/arm64 scratch\nENV A=1\n');
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(r.image!.config.architecture, 'arm64');
  assert.equal(r.image!.config.os, 'linux');
  const v7 = await run('FROM --platform=linux/arm/v7 scratch\nENV A=1\n');
  assert.equal(v7.image!.config.architecture, 'arm');
  assert.equal(v7.image!.config.variant, 'v7');
});

test('config and container_config in the Go shape, Image the parent step', async () => {
  const r = await run('FROM busybox\nENV A=1\nRUN true\n');
  const c = r.image!.config;
  const parentId = c.config!.Image;
  assert.match(String(parentId), /^sha256:/);
  assert.deepEqual(Object.keys(c.config!), ['Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels']);
  assert.deepEqual(c.config!.Cmd, ['sh']);
  assert.deepEqual(c.container_config!.Cmd, ['/bin/sh', '-c', 'true']);
  assert.ok(typeof c.container === 'string' && c.container.length === 64);
});

test('RUN: the failure message and code of moby; the failed container is not reported removed with rm', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    h.executor.runScript = () => ({ exit: 3 });
    const r = await build(h, 'FROM busybox\nRUN exit 3\n', { tags: ['x'] });
    assert.equal(r.error?.message, "The command '/bin/sh -c exit 3' returned a non-zero code: 3");
    assert.equal(r.error?.code, 3);
    assert.doesNotMatch(r.text, /Removed intermediate container/);
    assert.deepEqual(h.executor.tags, []);
    assert.equal(h.executor.runs[0].remove, 'on-success');
    const f = await build(h, 'FROM busybox\nRUN exit 3\n', { forceRm: true });
    assert.match(f.text, / ---> Removed intermediate container [0-9a-f]{12}\n/);
    assert.equal(h.executor.runs[1].remove, 'always');
    const k = await build(h, 'FROM busybox\nRUN exit 3\n', { rm: false });
    assert.equal(h.executor.runs[2].remove, 'never');
    assert.doesNotMatch(k.text, /Removed/);
  } finally {
    await h.cleanup();
  }
});

test('RUN: exec form, Env with build args for the run only, Healthcheck off, no entrypoint', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox', { config: { Env: ['PATH=/bin'], Entrypoint: ['/ep'], Healthcheck: { Test: ['CMD', 'x'] } } });
    const r = await build(h, 'FROM busybox\nARG V=1\nRUN ["echo", "$V"]\n');
    assert.equal(r.error, undefined, r.error?.message);
    const req = h.executor.runs[0];
    assert.deepEqual(req.config.Cmd, ['echo', '$V']);
    assert.deepEqual(req.config.Env, ['PATH=/bin', 'V=1']);
    assert.equal(req.config.Entrypoint, null);
    assert.deepEqual(req.config.Healthcheck, { Test: ['NONE'] });
    assert.deepEqual(r.image!.config.config!.Env, ['PATH=/bin']);
    assert.deepEqual(r.image!.config.config!.Entrypoint, ['/ep']);
    assert.equal(lastHistory(r).created_by, '|1 V=1 echo $V');
  } finally {
    await h.cleanup();
  }
});

test('RUN heredocs: alone through the shell, with a shebang through its interpreter, inside a command for the shell', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const r = await build(h, 'FROM busybox\nRUN <<EOF\necho a\necho b\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\nRUN cat <<EOF > /f\nhello\nEOF\n');
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(h.executor.runs[0].config.Cmd, ['/bin/sh', '-c', 'echo a\necho b\n']);
    assert.deepEqual(h.executor.runs[1].config.Cmd, ['/usr/bin/env', 'python3']);
    assert.equal(new TextDecoder().decode(h.executor.runs[1].stdin), '#!/usr/bin/env python3\nprint(1)\n');
    assert.deepEqual(h.executor.runs[2].config.Cmd, ['/bin/sh', '-c', 'cat <<EOF > /f\nhello\nEOF']);
  } finally {
    await h.cleanup();
  }
});

test('COPY: sources and dest expanded, --chown names resolved in the image, --chmod octal, history with --chown', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    h.executor.files.set('/etc/passwd', 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
    h.executor.files.set('/etc/group', 'root:x:0:\nstaff:x:50:\n');
    const ctx = new FakeContext('FROM busybox\nENV D=/dst\nCOPY --chown=app:staff --chmod=640 a.txt $D/\n', { 'a.txt': '1' });
    const r = await build(h, ctx);
    assert.equal(r.error, undefined, r.error?.message);
    const c = h.executor.copies[0];
    assert.deepEqual(c.copy.chown, { uid: 1000, gid: 50 });
    assert.equal(c.copy.chmod, 0o640);
    assert.equal(c.copy.dest, '/dst/');
    assert.deepEqual(c.from, { kind: 'context' });
    assert.match(lastHistory(r).created_by!, /^\/bin\/sh -c #\(nop\) COPY --chown=app:stafffile:[0-9a-f]{64} in \/dst\/ $/);
    const bad = await build(h, new FakeContext('FROM busybox\nCOPY --chown=nobody a.txt /\n', { 'a.txt': '1' }));
    assert.equal(bad.error?.message, "unable to convert uid/gid chown string to host mapping: can't find uid for user nobody: no such user: nobody");
    const badChmod = await build(h, new FakeContext('FROM busybox\nCOPY --chmod=999 a.txt /\n', { 'a.txt': '1' }));
    assert.equal(badChmod.error?.message, 'invalid chmod parameter: 999. it should be octal string and between 0 and 07777');
    const numeric = await build(h, new FakeContext('FROM scratch\nCOPY --chown=5 a.txt /\n', { 'a.txt': '1' }));
    assert.equal(numeric.error, undefined);
    assert.deepEqual(h.executor.copies.at(-1)!.copy.chown, { uid: 5, gid: 5 });
  } finally {
    await h.cleanup();
  }
});

test('COPY heredoc and ADD: inline files, unpack on for ADD', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const r = await build(h, new FakeContext('FROM busybox\nARG N=world\nCOPY <<EOF /greet\nhello $N\nEOF\nADD a.tar /x/\n', { 'a.tar': 't' }));
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(h.executor.copies[0].copy.inline, [{ name: 'EOF', content: 'hello world\n' }]);
    assert.equal(h.executor.copies[0].copy.unpack, false);
    assert.equal(h.executor.copies[1].copy.unpack, true);
    assert.match(lastHistory(r).created_by!, /^\/bin\/sh -c #\(nop\) ADD file:[0-9a-f]{64} in \/x\/ $/);
  } finally {
    await h.cleanup();
  }
});

test('COPY history names the source kind as moby: file:, dir:, multi:', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ctx-'));
  const h = await harness();
  try {
    await writeFile(join(dir, 'a.txt'), 'a');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'b.txt'), 'b');
    h.executor.addImage('busybox');
    const files = { 'a.txt': 'a', 'sub/b.txt': 'b' };
    const r = await build(h, new FakeContext('FROM busybox\nCOPY a.txt /a\nCOPY sub /s/\nCOPY a.txt sub /m/\nCOPY *.txt /w/\n', files, dir));
    assert.equal(r.error, undefined, r.error?.message);
    const lines = r.image!.config.history!.slice(1).map((e) => e.created_by!.replace(/[0-9a-f]{64}/, '<h>'));
    assert.deepEqual(lines, [
      '/bin/sh -c #(nop) COPY file:<h> in /a ',
      '/bin/sh -c #(nop) COPY dir:<h> in /s/ ',
      '/bin/sh -c #(nop) COPY multi:<h> in /m/ ',
      '/bin/sh -c #(nop) COPY file:<h> in /w/ ',
    ]);
  } finally {
    await h.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});
