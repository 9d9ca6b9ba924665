// Log drivers through the real docker CLI and raw HTTP: json-file (rotation, compression, attrs),
// local (Docker's framed protobuf format, rotation), none, syslog to listeners this test owns
// (UDP, TCP and a unix socket on loopback), daemon.json defaults, and dockerd's words for bad
// options, compared with a private dockerd when one is installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BUSYBOX_TAR, Daemon, startDaemonWithBusybox, waitFor } from './harness.ts';
import { dockerdMissing, startPrivateDockerd, type PrivateDockerd } from './dockerd.test-helpers.ts';

let d: Daemon;
let dockerd: PrivateDockerd | undefined;
const missing = dockerdMissing();

before(async () => {
  d = await startDaemonWithBusybox();
  if (!missing) {
    dockerd = await startPrivateDockerd();
    const loaded = await dockerd?.docker(['load', '-i', BUSYBOX_TAR], { timeoutMs: 120_000 });
    assert.equal(loaded?.code, 0, loaded?.stderr);
  }
});
after(async () => {
  await dockerd?.stop();
  await d?.cleanup();
});

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const inspect = async (name: string, format: string) => (await ok(['inspect', '-f', format, name])).trim();
const containerDir = async (name: string) => join(d.dataRoot, 'containers', await inspect(name, '{{.Id}}'));
const numbered = (n: number, prefix = 'line') => `for i in $(seq 1 ${n}); do echo ${prefix}-$i; done`;

/** The output is a run of consecutive `line-N` ending at `last`; returns its first N. */
function assertSuffix(out: string, last: number, prefix = 'line'): number {
  const lines = out.trimEnd().split('\n');
  const first = Number(lines[0].slice(prefix.length + 1));
  assert.deepEqual(lines, Array.from({ length: last - first + 1 }, (_, k) => `${prefix}-${first + k}`));
  return first;
}

describe('json-file', () => {
  test('rotation with compress: FILE.1.gz and FILE.2.gz, logs reads through all of them in order', async () => {
    await ok(['run', '--name', 'jrot', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=3', '--log-opt', 'compress=true', 'busybox', 'sh', '-c', numbered(300)]);
    const dir = await containerDir('jrot');
    const id = await inspect('jrot', '{{.Id}}');
    const files = (await readdir(dir)).filter((f) => f.includes('-json.log')).sort();
    assert.deepEqual(files, [`${id}-json.log`, `${id}-json.log.1.gz`, `${id}-json.log.2.gz`]);
    // Each rotated file is a whole gzip stream of json-file lines of about max-size.
    for (const f of files.slice(1)) {
      const text = gunzipSync(await readFile(join(dir, f))).toString();
      assert.ok(text.length > 800 && text.length <= 1000, `${f}: ${text.length}`);
      for (const line of text.trimEnd().split('\n')) assert.match(line, /^\{"log":"line-\d+\\n","stream":"stdout","time":"[^"]+"\}$/);
    }
    const all = await ok(['logs', 'jrot']);
    const first = assertSuffix(all, 300);
    const current = (await readFile(join(dir, files[0]), 'utf8')).trimEnd().split('\n').length;
    assert.ok(300 - first + 1 > current * 2, 'the compressed files were read too');
    assertSuffix(await ok(['logs', '--tail', '5', 'jrot']), 300);
    assert.equal((await ok(['logs', '--tail', '5', 'jrot'])).split('\n').length, 6);
    // A tail reaching into the compressed files.
    const tail = await ok(['logs', '--tail', String(current + 3), 'jrot']);
    assert.equal(tail.trimEnd().split('\n').length, current + 3);
    assertSuffix(tail, 300);
    assert.match(await inspect('jrot', '{{.LogPath}}'), new RegExp(`${id}-json\\.log$`));
  });

  test('attrs from labels, env and tag, as dockerd writes them; --details shows them', async () => {
    await ok(['run', '--name', 'jattr', '-l', 'app=web', '-l', 'other=x', '-e', 'FOO=bar', '--log-opt', 'labels=app', '--log-opt', 'env=FOO',
      '--log-opt', 'tag={{.Name}}/{{.ID}}', 'busybox', 'sh', '-c', 'echo "<&>"; echo err >&2']);
    const id = await inspect('jattr', '{{.Id}}');
    const raw = (await readFile(join(await containerDir('jattr'), `${id}-json.log`), 'utf8')).trimEnd().split('\n');
    const tag = `jattr/${id.slice(0, 12)}`;
    assert.ok(raw.some((l) => l.startsWith(`{"log":"\\u003c\\u0026\\u003e\\n","stream":"stdout","attrs":{"FOO":"bar","app":"web","tag":"${tag}"},"time":"`)), raw.join('\n'));
    const details = await d.docker(['logs', '--details', 'jattr']);
    assert.equal(details.stdout, `FOO=bar,app=web,tag=${encodeURIComponent(tag)} <&>\n`);
    assert.equal(details.stderr, `FOO=bar,app=web,tag=${encodeURIComponent(tag)} err\n`);
    const ts = await ok(['logs', '-t', 'jattr']);
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z <&>\n$/);
  });

  test('a created container has no LogPath until it starts (dockerd sets it in StartLogger)', async () => {
    await ok(['create', '--name', 'jcreated', 'busybox', 'true']);
    assert.equal(await inspect('jcreated', '{{.LogPath}}|{{json .HostConfig.LogConfig}}'), '|{"Type":"json-file","Config":{}}');
  });
});

describe('local', () => {
  test('Docker\'s compact format under local-logs/, rotated and compressed by default; logs, tail, timestamps', async () => {
    await ok(['run', '--name', 'lrot', '--log-driver', 'local', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', numbered(300)]);
    const dir = join(await containerDir('lrot'), 'local-logs');
    assert.deepEqual((await readdir(dir)).sort(), ['container.log', 'container.log.1.gz', 'container.log.2.gz']);
    // Framed records: a big-endian size before and after each protobuf LogEntry.
    const buf = await readFile(join(dir, 'container.log'));
    let off = 0;
    let records = 0;
    while (off < buf.length) {
      const size = buf.readUInt32BE(off);
      assert.equal(buf.readUInt32BE(off + 4 + size), size);
      const msg = buf.subarray(off + 4, off + 4 + size);
      assert.deepEqual([...msg.subarray(0, 8)], [0x0a, 6, ...Buffer.from('stdout')]);
      off += size + 8;
      records++;
    }
    assert.ok(records > 5);
    assert.equal(await inspect('lrot', '{{.LogPath}}|{{json .HostConfig.LogConfig}}'), '|{"Type":"local","Config":{"max-file":"3","max-size":"2k"}}');
    const first = assertSuffix(await ok(['logs', 'lrot']), 300);
    assert.ok(300 - first + 1 > records * 2, 'the compressed files were read too');
    assertSuffix(await ok(['logs', '--tail', '3', 'lrot']), 300);
    assert.equal((await ok(['logs', '--tail', '3', 'lrot'])).trimEnd().split('\n').length, 3);
    assert.equal((await ok(['logs', '--tail', String(records + 2), 'lrot'])).trimEnd().split('\n').length, records + 2);
    const ts = (await ok(['logs', '-t', '--tail', '1', 'lrot'])).trimEnd();
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line-300$/);
    // --since after the last line: nothing; --until before the first: nothing.
    const stamp = ts.split(' ')[0];
    assert.equal(await ok(['logs', '--since', stamp, 'lrot']), 'line-300\n');
  });

  test('stdout and stderr keep their streams; follow ends when the container does', async () => {
    await ok(['run', '-d', '--name', 'lfollow', '--log-driver', 'local', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo out-$i; echo err-$i >&2; sleep 0.2; done']);
    const r = await d.docker(['logs', '-f', 'lfollow'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, [1, 2, 3, 4, 5].map((i) => `out-${i}\n`).join(''));
    assert.equal(r.stderr, [1, 2, 3, 4, 5].map((i) => `err-${i}\n`).join(''));
    // Raw HTTP: the multiplexed stream with each line in its own frame.
    const res = await d.api('GET', '/containers/lfollow/logs?stdout=1&stderr=1&tail=2');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
  });

  test('a long line goes out in partial records and comes back whole', async () => {
    await ok(['run', '--name', 'llong', '--log-driver', 'local', 'busybox', 'sh', '-c', 'head -c 40000 /dev/zero | tr "\\0" a; echo; echo end']);
    const out = await ok(['logs', 'llong']);
    assert.equal(out, `${'a'.repeat(40000)}\nend\n`);
  });
});

describe('none and syslog', () => {
  test('none: no file, and logs gives dockerd\'s error', async () => {
    await ok(['run', '--name', 'nlog', '--log-driver', 'none', 'busybox', 'echo', 'hi']);
    const r = await d.docker(['logs', 'nlog']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: configured logging driver does not support reading\n');
    const res = await d.api('GET', '/containers/nlog/logs?stdout=1');
    assert.equal(res.status, 501);
    assert.equal(await inspect('nlog', '{{.LogPath}}'), '');
    assert.deepEqual((await readdir(await containerDir('nlog'))).filter((f) => f.includes('log')), []);
  });

  let udp: UdpSocket;
  let tcp: Server;
  let unix: Server;
  const got: Record<string, string[]> = { udp: [], tcp: [], unix: [] };
  let sockDir = '';

  before(async () => {
    udp = createSocket('udp4');
    udp.on('message', (m) => got.udp.push(m.toString()));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    const stream = (key: string) => createServer((s) => {
      let buf = '';
      s.on('data', (c) => {
        buf += c.toString();
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        for (const p of parts) got[key].push(`${p}\n`);
      });
    });
    tcp = stream('tcp');
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    sockDir = await mkdtemp('/tmp/bt-syslog-');
    unix = stream('unix');
    await new Promise<void>((r) => unix.listen(join(sockDir, 'log.sock'), () => r()));
  });
  after(async () => {
    udp?.close();
    tcp?.close();
    await new Promise((r) => (unix ? unix.close(r) : r(undefined)));
    if (sockDir) await rm(sockDir, { recursive: true, force: true });
  });

  test('syslog over UDP: the default (Unix) format, info for stdout and err for stderr, facility daemon', async () => {
    const port = (udp.address()).port;
    await ok(['run', '--name', 'sudp', '--log-driver', 'syslog', '--log-opt', `syslog-address=udp://127.0.0.1:${port}`, 'busybox', 'sh', '-c', 'echo hello; echo oops >&2']);
    const id = (await inspect('sudp', '{{.Id}}')).slice(0, 12);
    await waitFor(async () => got.udp.length >= 2, 'two syslog datagrams');
    const re = (pri: number, text: string) => new RegExp(`^<${pri}>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${id}\\[\\d+\\]: ${text}\\n$`);
    assert.ok(got.udp.some((m) => re(30, 'hello').test(m)), got.udp.join(''));
    assert.ok(got.udp.some((m) => re(27, 'oops').test(m)), got.udp.join(''));
    // dockerd's dual logging: a local cache beside the driver keeps `docker logs` working...
    const r = await d.docker(['logs', 'sudp']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'hello\n', 'oops\n']);
    assert.ok(existsSync(join(await containerDir('sudp'), 'container-cached.log')));
    assert.equal(await inspect('sudp', '{{.LogPath}}'), '');
    // ...unless cache-disabled says otherwise.
    await ok(['run', '--name', 'sudp-nocache', '--log-driver', 'syslog', '--log-opt', `syslog-address=udp://127.0.0.1:${port}`, '--log-opt', 'cache-disabled=true',
      'busybox', 'echo', 'uncached']);
    const nc = await d.docker(['logs', 'sudp-nocache']);
    assert.equal(nc.stderr, 'Error response from daemon: configured logging driver does not support reading\n');
    assert.ok(!existsSync(join(await containerDir('sudp-nocache'), 'container-cached.log')));
    await waitFor(async () => got.udp.some((m) => m.endsWith(': uncached\n')), 'the uncached line over syslog');
  });

  test('syslog over TCP in RFC 5424 with a facility and a tag; over a unix socket in RFC 3164', async () => {
    const port = (tcp.address() as { port: number }).port;
    await ok(['run', '--name', 'stcp', '--log-driver', 'syslog', '--log-opt', `syslog-address=tcp://127.0.0.1:${port}`, '--log-opt', 'syslog-facility=local0',
      '--log-opt', 'syslog-format=rfc5424', '--log-opt', 'tag={{.Name}}', 'busybox', 'sh', '-c', 'echo one; echo two']);
    await waitFor(async () => got.tcp.length >= 2, 'two syslog lines over tcp');
    assert.match(got.tcp[0], /^<134>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) \S+ stcp \d+ stcp - one\n$/);
    assert.match(got.tcp[1], /- two\n$/);
    await ok(['run', '--name', 'sunix', '--log-driver', 'syslog', '--log-opt', `syslog-address=unix://${join(sockDir, 'log.sock')}`, '--log-opt', 'syslog-format=rfc3164',
      '--log-opt', 'syslog-facility=user', 'busybox', 'echo', 'via unix']);
    await waitFor(async () => got.unix.length >= 1, 'a syslog line over the unix socket');
    assert.match(got.unix[0], /^<14>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [0-9a-f]{12}\[\d+\]: via unix\n$/);
  });

  test('syslog with no syslog on the machine: dockerd\'s start error, the container left created with 128', async (t) => {
    if (['/dev/log', '/var/run/syslog', '/var/run/log'].some((p) => existsSync(p) && statSync(p).isSocket())) {
      t.skip('this machine has a local syslog socket');
      return;
    }
    const r = await d.docker(['run', '--name', 'snone', '--log-driver', 'syslog', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Error response from daemon: failed to initialize logging driver: Unix syslog delivery error/);
    assert.equal(await inspect('snone', '{{.State.Status}}|{{.State.ExitCode}}|{{.State.Error}}'), 'created|128|failed to initialize logging driver: Unix syslog delivery error');
  });
});


describe('options as dockerd checks them', () => {
  // Each: docker args (after `run --rm`), the exit code and the daemon's message.
  const cases: Array<[string[], number, string]> = [
    [['--log-opt', 'bogus=1'], 125, "unknown log opt 'bogus' for json-file log driver"],
    [['--log-driver', 'local', '--log-opt', 'bogus=1'], 125, "unknown log opt 'bogus' for log driver local"],
    [['--log-driver', 'syslog', '--log-opt', 'bogus=1'], 125, "unknown log opt 'bogus' for syslog log driver"],
    [['--log-driver', 'journald', '--log-opt', 'bogus=1'], 125, "unknown log opt 'bogus' for journald log driver"],
    [['--log-driver', 'nope'], 125, 'error looking up logging plugin nope: plugin "nope" not found'],
    [['--log-opt', 'mode=x'], 125, 'logger: logging mode not supported: x'],
    [['--log-opt', 'max-buffer-size=1m'], 125, "logger: max-buffer-size option is only supported with 'mode=non-blocking'"],
    [['--log-driver', 'syslog', '--log-opt', 'syslog-address=foo'], 125, 'syslog-address should be in form proto://address, got foo'],
    [['--log-driver', 'syslog', '--log-opt', 'syslog-address=unix:///nonexist'], 127, 'stat /nonexist: no such file or directory'],
    [['--log-driver', 'syslog', '--log-opt', 'syslog-facility=bad'], 125, 'invalid syslog facility'],
    [['--log-driver', 'syslog', '--log-opt', 'syslog-format=bad'], 125, 'Invalid syslog format'],
    [['--log-driver', 'syslog', '--log-opt', 'cache-disabled=perhaps'], 125, 'invalid value for option cache-disabled: perhaps'],
    [['--log-driver', 'syslog', '--log-opt', 'syslog-address=tcp://127.0.0.1:1'], 125, 'failed to initialize logging driver: dial tcp 127.0.0.1:1: connect: connection refused'],
    [['--log-driver', 'journald'], 125, 'failed to initialize logging driver: journald is not enabled on this host'],
    [['--log-opt', 'max-size=abc'], 125, "failed to initialize logging driver: invalid size: 'abc'"],
    [['--log-opt', 'max-size=0'], 125, 'failed to initialize logging driver: max-size must be a positive number'],
    [['--log-opt', 'max-file=0'], 125, 'failed to initialize logging driver: max-file cannot be less than 1'],
    [['--log-opt', 'max-file=x'], 125, 'failed to initialize logging driver: strconv.Atoi: parsing "x": invalid syntax'],
    [['--log-opt', 'compress=true'], 125, 'failed to initialize logging driver: compress cannot be true when max-file is less than 2 or max-size is not set'],
    [['--log-opt', 'compress=maybe'], 125, 'failed to initialize logging driver: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['--log-driver', 'local', '--log-opt', 'max-file=1'], 125, 'failed to initialize logging driver: compression cannot be enabled when max file count is 1'],
    [['--log-driver', 'local', '--log-opt', 'max-size=x'], 125, "failed to initialize logging driver: invalid value for max-size: x: invalid size: 'x'"],
    [['--log-driver', 'local', '--log-opt', 'compress=x'], 125, 'failed to initialize logging driver: error reading compress log option: strconv.ParseBool: parsing "x": invalid syntax'],
    [['--log-opt', 'tag={{.Nope}}'], 125, 'failed to initialize logging driver: template: log-tag:1:2: executing "log-tag" at <.Nope>: can\'t evaluate field Nope in type *logger.Info'],
    [['--log-opt', 'labels-regex=('], 125, 'failed to initialize logging driver: error parsing regexp: missing closing ): `(`'],
  ];
  for (const [args, code, message] of cases) {
    test(args.join(' '), async () => {
      const argv = ['run', '--rm', ...args, 'busybox', 'true'];
      const r = await d.docker(argv);
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stderr.split('\n')[0], `docker: Error response from daemon: ${message}`);
      if (dockerd) {
        const k = await dockerd.docker(argv);
        assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: k.code, stderr: k.stderr }, 'as the private dockerd says it');
      }
    });
  }
});

describe('daemon.json log-driver and log-opts', () => {
  let dd: Daemon | undefined;
  after(async () => {
    await dd?.cleanup();
  });

  test('the default driver and options apply to new containers, merged as dockerd merges them', async () => {
    const dir = await mkdtemp('/tmp/bt-');
    dd = new Daemon(dir, []);
    await writeFile(join(dir, 'daemon.json'), JSON.stringify({
      'default-address-pools': [{ base: dd.poolBase, size: 28 }], 'log-driver': 'local', 'log-opts': { 'max-size': '5k', 'max-file': '2' },
    }));
    await dd.start();
    assert.equal((await dd.docker(['load', '-i', BUSYBOX_TAR], { timeoutMs: 120_000 })).code, 0);
    assert.equal((await dd.docker(['info', '-f', '{{.LoggingDriver}}'])).stdout, 'local\n');
    const cfg = async (args: string[]) => {
      const name = `c${Math.random().toString(36).slice(2, 8)}`;
      assert.equal((await dd!.docker(['create', '--name', name, ...args, 'busybox', 'sh', '-c', 'echo from-default'])).code, 0);
      return { name, cfg: (await dd!.docker(['inspect', '-f', '{{json .HostConfig.LogConfig}}', name])).stdout.trim() };
    };
    const plain = await cfg([]);
    assert.equal(plain.cfg, '{"Type":"local","Config":{"max-file":"2","max-size":"5k"}}');
    assert.equal((await cfg(['--log-opt', 'max-file=3'])).cfg, '{"Type":"local","Config":{"max-file":"3","max-size":"5k"}}');
    assert.equal((await cfg(['--log-driver', 'json-file'])).cfg, '{"Type":"json-file","Config":{}}');
    assert.equal((await dd.docker(['create', '--log-opt', 'labels=x', 'busybox'])).stderr.split('\n')[0], "Error response from daemon: unknown log opt 'labels' for log driver local");
    assert.equal((await dd.docker(['start', '-a', plain.name])).stdout, 'from-default\n');
    assert.equal((await dd.docker(['logs', plain.name])).stdout, 'from-default\n');
    const files = await readdir(join(dd.dataRoot, 'containers', (await dd.docker(['inspect', '-f', '{{.Id}}', plain.name])).stdout.trim(), 'local-logs'));
    assert.deepEqual(files, ['container.log']);
  });

  test('bad log-opts in daemon.json: the daemon refuses to start with dockerd\'s message', async () => {
    const dir = await mkdtemp('/tmp/bt-');
    const bad = new Daemon(dir, []);
    await writeFile(join(dir, 'daemon.json'), JSON.stringify({ 'default-address-pools': [{ base: bad.poolBase, size: 28 }], 'log-opts': { bogus: '1' } }));
    try {
      await assert.rejects(bad.start(), /failed to set log opts: unknown log opt 'bogus' for json-file log driver/);
    } finally {
      await bad.cleanup();
    }
  });
});
