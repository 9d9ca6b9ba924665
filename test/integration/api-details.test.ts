// The container API details real SDKs rely on (issue 10), each compared with a private dockerd
// where one can run: inspect's HostConfig, Config and top-level keys for the same containers
// made on both, top's titles and ps errors, the hijacked exec and attach replies byte for byte
// (headers, framing), logs and JSON reply framing, exec Detach, exec inspect; and on berthd
// alone: restart policy errors, websocket attach (the `ws` client), DetachKeys from the docker
// CLI's and berth's own config file through a real pseudo-terminal.
//
// The dockerd on these machines is Debian's 20.10 (API 1.41): where dockerd 28 (what berth
// follows) changed a default, the difference is allow-listed below with the reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { BUSYBOX_TAR, ROOT, run, startDaemonWithBusybox, waitFor, type Daemon, type RunResult } from './harness.ts';
import { dockerdMissing, startPrivateDockerd, type PrivateDockerd } from './dockerd.test-helpers.ts';

const missing = dockerdMissing();
let b: Daemon;
let d: PrivateDockerd | undefined;
/** The API version both daemons speak (the installed dockerd's maximum). */
let common = 'v1.41';

before(async () => {
  b = await startDaemonWithBusybox();
  if (missing) return;
  d = await startPrivateDockerd();
  const loaded = await d!.docker(['load', '-i', BUSYBOX_TAR]);
  assert.equal(loaded.code, 0, loaded.stderr);
  common = `v${(await d!.docker(['version', '--format', '{{.Server.APIVersion}}'])).stdout.trim()}`;
});

after(async () => {
  await b?.cleanup();
  if (d) {
    await d.stop();
    assert.deepEqual(await d.leftovers(), [], 'the private dockerd left traces');
  }
});

function sockOf(host: string): string {
  return host.replace(/^unix:\/\//, '');
}

/** One raw HTTP exchange: writes `request`, returns every byte until the server closes or `ms` pass quietly. */
function rawExchange(sock: string, request: string | Buffer, ms = 1500): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(sock);
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout;
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(chunks));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, ms);
    };
    s.on('connect', () => {
      s.write(request);
      arm();
    });
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    s.on('end', done);
    s.on('error', reject);
  });
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): string {
  const text = JSON.stringify(body);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `POST ${path} HTTP/1.1\r\nHost: api\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
}

function get(path: string, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `GET ${path} HTTP/1.1\r\nHost: api\r\n${extra}\r\n`;
}

/** Splits a raw reply into its status line, headers (in order, as sent) and the rest. */
function splitReply(raw: Buffer): { status: string; headers: Array<[string, string]>; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no header end in ${JSON.stringify(raw.toString('latin1').slice(0, 300))}`);
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
  });
  return { status: lines[0], headers, body: raw.subarray(end + 4) };
}

/** Headers with what legitimately differs between the two daemons masked: their versions, the date. */
function normalHeaders(h: Array<[string, string]>): Array<[string, string]> {
  return h.map(([k, v]) => [k, k === 'Api-Version' || k === 'Server' || k === 'Date' ? '*' : k === 'Content-Length' ? 'N' : v]);
}

/** The 8-byte stdcopy frames of a multiplexed stream, as [stream, text] (stdout and stderr kept apart). */
function frames(body: Buffer): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (let off = 0; off + 8 <= body.length;) {
    const n = body.readUInt32BE(off + 4);
    out.push([body[off], body.subarray(off + 8, off + 8 + n).toString()]);
    off += 8 + n;
  }
  return out;
}

async function api(host: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const raw = await rawExchange(sockOf(host), body === undefined ? `${method} ${path} HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n` : post(path, body, { Connection: 'close' }).replace(/^POST/, method));
  const r = splitReply(raw);
  const chunked = r.headers.some(([k, v]) => k === 'Transfer-Encoding' && v === 'chunked');
  let text = r.body.toString();
  if (chunked) {
    let out = '';
    for (let rest = text; rest.length;) {
      const nl = rest.indexOf('\r\n');
      const n = Number.parseInt(rest.slice(0, nl), 16);
      if (!n) break;
      out += rest.slice(nl + 2, nl + 2 + n);
      rest = rest.slice(nl + 2 + n + 2);
    }
    text = out;
  }
  return { status: Number(r.status.split(' ')[1]), json: text ? JSON.parse(text) : undefined };
}

function docker(host: string, args: string[]): Promise<RunResult> {
  return run('docker', ['-H', host, ...args], { timeoutMs: 60_000 });
}

async function ok(p: Promise<RunResult>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

// ---- inspect: HostConfig, Config and the top-level keys ---------------------------------

/**
 * Where the two may legitimately differ, by JSON path (`*` matches one key). Everything not
 * listed must be equal.
 */
const MACHINE_SPECIFIC: Array<[RegExp, string]> = [
  [/^\.(Id|Created|Image)$/, 'ids and times are each daemon\'s own (Image: both loaded the same tar, but a dockerd may report the config digest differently)'],
  [/^\.(ResolvConfPath|HostnamePath|HostsPath|LogPath)$/, 'paths under each daemon\'s data root'],
  [/^\.GraphDriver\.Data\./, 'layer paths under each data root'],
  [/^\.Config\.Hostname$/, 'the container ID\'s first 12 digits'],
  [/^\.State\.(Pid|StartedAt|FinishedAt)$/, 'processes and times'],
  [/^\.NetworkSettings\./, 'addresses, endpoint and sandbox ids are each daemon\'s; networking is another part of issue 10'],
  [/^\.Mounts\.\d+\.Source$/, 'volume paths under each data root'],
];

/** What dockerd 28 (which berth follows) does differently from the 20.10 these machines have. */
const DOCKERD_20_10: Array<[RegExp, string]> = [
  [/^\.HostConfig\.KernelMemory(TCP)?$/, 'dockerd 28 omits them (omitempty since API 1.42); 20.10 always writes 0'],
  [/^\.HostConfig\.MaskedPaths$/, 'dockerd 28 also masks /proc/interrupts and /sys/devices/virtual/powercap'],
  [/^\.HostConfig\.RestartPolicy\.Name$/, 'dockerd 25+ stores a missing restart policy as "no"; 20.10 keeps ""'],
];

function allowed(path: string): boolean {
  return [...MACHINE_SPECIFIC, ...DOCKERD_20_10].some(([re]) => re.test(path));
}

/** Key-by-key differences between dockerd's and berth's JSON, outside the allow-lists. */
function diff(want: unknown, got: unknown, path = ''): string[] {
  if (allowed(path)) return [];
  if (want && got && typeof want === 'object' && typeof got === 'object' && !Array.isArray(want) && !Array.isArray(got)) {
    const out: string[] = [];
    const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
    for (const k of keys) {
      const p = `${path}.${k}`;
      if (allowed(p)) continue;
      if (!(k in (want as object))) out.push(`${p}: only berth has it (${JSON.stringify((got as any)[k])})`);
      else if (!(k in (got as object))) out.push(`${p}: only dockerd has it (${JSON.stringify((want as any)[k])})`);
      else out.push(...diff((want as any)[k], (got as any)[k], p));
    }
    return out;
  }
  if (Array.isArray(want) && Array.isArray(got) && want.length === got.length) return want.flatMap((w, i) => diff(w, got[i], `${path}.${i}`));
  return JSON.stringify(want) === JSON.stringify(got) ? [] : [`${path}: dockerd ${JSON.stringify(want)}, berth ${JSON.stringify(got)}`];
}

describe('inspect against dockerd', { skip: missing ? `skipped: ${missing}` : false }, () => {
  const flagSets: Array<[string, string[], boolean]> = [
    ['no flags', [], false],
    ['no flags, started', [], true],
    ['limits, restart, security, env, labels', ['--restart', 'on-failure:3', '--memory', '64m', '--memory-swappiness', '10', '--cpus', '0.5',
      '--cpu-shares', '512', '--pids-limit', '50', '--cap-add', 'NET_ADMIN', '--cap-drop', 'MKNOD', '--read-only', '--tmpfs', '/run',
      '--ulimit', 'nofile=1024:2048', '--shm-size', '32m', '-e', 'A=b', '--label', 'x=y', '-w', '/tmp', '--hostname', 'hh', '--dns', '1.1.1.1',
      '--add-host', 'a:1.2.3.4', '--oom-score-adj', '100', '--security-opt', 'no-new-privileges', '--stop-signal', 'SIGUSR1', '--stop-timeout', '3'], true],
    ['privileged, tty, init, volume, mount (created)', ['--privileged', '-it', '--init', '-v', 'apivol:/data', '--mount', 'type=tmpfs,target=/t2',
      '--entrypoint', '/bin/sh', '-p', '80', '--group-add', '10'], false],
    ['host namespaces, cgroupns, --rm', ['--rm', '--ipc', 'host', '--pid', 'host', '--uts', 'host', '--cgroupns', 'private', '--cap-drop', 'ALL',
      '--memory-reservation', '10m', '--log-opt', 'max-size=1m', '--network', 'none'], true],
  ];
  for (const [label, flags, start] of flagSets) {
    test(`docker ${start ? 'run -d' : 'create'} with ${label}: inspect agrees key by key`, async () => {
      const name = `insp-${label.replace(/[^a-z]/g, '').slice(0, 20)}`;
      for (const host of [b.host, d!.host]) {
        await ok(docker(host, ['create', '--name', name, ...flags, 'busybox', 'sleep', '60']));
        if (start) await ok(docker(host, ['start', name]));
      }
      const [want, got] = await Promise.all([d!.host, b.host].map(async (h) => JSON.parse(await ok(docker(h, ['inspect', name])))[0]));
      for (const host of [b.host, d!.host]) await docker(host, ['rm', '-f', '-v', name]);
      // Every HostConfig field dockerd writes, with its default.
      assert.deepEqual(diff(want.HostConfig, got.HostConfig, '.HostConfig'), []);
      assert.deepEqual(diff(want.Config, got.Config, '.Config'), []);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
      // dockerd lists Mounts from a Go map: in no fixed order (berth's is by destination).
      const byDest = (ms: Array<{ Destination: string }>) => [...ms].sort((x, y) => x.Destination.localeCompare(y.Destination));
      want.Mounts = byDest(want.Mounts);
      got.Mounts = byDest(got.Mounts);
      const { HostConfig: _h, Config: _c, ...wantTop } = want;
      const { HostConfig: _h2, Config: _c2, ...gotTop } = got;
      assert.deepEqual(diff(wantTop, gotTop), []);
    });
  }

  test('a raw API create with only an Image: dockerd\'s defaults in HostConfig and Config', async () => {
    for (const host of [b.host, d!.host]) {
      const r = await api(host, 'POST', `/${common}/containers/create?name=rawcreate`, { Image: 'busybox' });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    const [want, got] = await Promise.all([d!.host, b.host].map(async (h) => (await api(h, 'GET', `/${common}/containers/rawcreate/json`)).json));
    assert.equal(got.HostConfig.Runtime, 'runc');
    for (const host of [b.host, d!.host]) await docker(host, ['rm', '-f', 'rawcreate']);
    // dockerd 20.10 skips its Runtime default when the request has no HostConfig at all; 25+
    // starts from an empty one and sets it (asserted below).
    delete got.HostConfig.Runtime;
    assert.deepEqual(diff(want.HostConfig, got.HostConfig, '.HostConfig'), []);
    assert.deepEqual(diff(want.Config, got.Config, '.Config'), []);
    // And the values dockerd 28 writes that the diff above lets through.
    assert.equal(got.HostConfig.RestartPolicy.Name, 'no');
    assert.equal(got.HostConfig.ShmSize, 64 * 1024 * 1024);
    assert.equal(got.HostConfig.KernelMemory, undefined);
    assert.equal(got.Config.Volumes, null);
    assert.equal('ExposedPorts' in got.Config, false);
  });
});

describe('inspect on berthd alone', () => {
  test('HostConfig has every field of dockerd 28\'s struct, with its defaults, for a minimal API create', async () => {
    const r = await b.api('POST', '/v1.50/containers/create?name=minimal', { Image: 'busybox', HostConfig: { Memory: 0 } });
    assert.equal(r.status, 201, r.text);
    const hc = (await b.api('GET', '/v1.50/containers/minimal/json')).json.HostConfig;
    await b.docker(['rm', 'minimal']);
    assert.equal(hc.Runtime, 'runc');
    assert.equal(hc.CpuRealtimePeriod, 0);
    assert.equal(hc.CpuRealtimeRuntime, 0);
    assert.equal(hc.BlkioWeightDevice, null);
    assert.deepEqual(hc.ConsoleSize, [0, 0]);
    assert.equal(hc.Isolation, '');
    assert.equal(hc.IpcMode, 'private');
    assert.ok(hc.CgroupnsMode === 'host' || hc.CgroupnsMode === 'private');
    assert.equal(hc.OomKillDisable, false);
    assert.equal(hc.PidsLimit, null);
    assert.equal(hc.MemorySwappiness, null);
    assert.deepEqual(hc.LogConfig, { Type: 'json-file', Config: {} });
    assert.ok(hc.MaskedPaths.includes('/proc/kcore'));
    assert.ok(hc.ReadonlyPaths.includes('/proc/sys'));
    for (const k of ['Annotations', 'StorageOpt', 'Tmpfs', 'Sysctls', 'Mounts', 'Init', 'KernelMemory', 'KernelMemoryTCP']) {
      assert.equal(k in hc, false, `${k} is omitempty`);
    }
  });

  test('create by API version, as moby\'s route: AutoRemove ignored before 1.25, IpcMode shareable before 1.40', async () => {
    const old = await b.api('POST', '/v1.24/containers/create?name=v124', { Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } });
    assert.equal(old.status, 201, old.text);
    const hc124 = (await b.api('GET', '/v1.24/containers/v124/json')).json.HostConfig;
    assert.equal(hc124.AutoRemove, false);
    assert.equal(hc124.IpcMode, 'shareable');
    const v139 = await b.api('POST', '/v1.39/containers/create?name=v139', { Image: 'busybox', HostConfig: {} });
    assert.equal(v139.status, 201, v139.text);
    assert.equal((await b.api('GET', '/v1.39/containers/v139/json')).json.HostConfig.IpcMode, 'shareable');
    const now = await b.api('POST', '/v1.50/containers/create?name=v150', { Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } });
    assert.equal(now.status, 400);
    await b.docker(['rm', 'v124', 'v139']);
  });

  test('a privileged container gets no masked paths and SELinux labelling off, as dockerd', async () => {
    await ok(b.docker(['create', '--name', 'priv', '--privileged', 'busybox']));
    const hc = JSON.parse(await ok(b.docker(['inspect', '-f', '{{json .HostConfig}}', 'priv'])));
    await b.docker(['rm', 'priv']);
    assert.equal(hc.MaskedPaths, null);
    assert.equal(hc.ReadonlyPaths, null);
    assert.deepEqual(hc.SecurityOpt, ['label=disable']);
  });
});

// ---- restart policies ------------------------------------------------------------------

describe('restart policy errors (moby 28\'s words)', () => {
  const cases: Array<[unknown, boolean, string]> = [
    [{ Name: 'on-failure', MaximumRetryCount: -1 }, false, 'invalid restart policy: maximum retry count cannot be negative'],
    [{ Name: 'always', MaximumRetryCount: 3 }, false, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
    [{ Name: 'unless-stopped', MaximumRetryCount: -2 }, false, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative"],
    [{ Name: 'no', MaximumRetryCount: 1 }, false, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
    [{ Name: 'sometimes' }, false, "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
    [{ Name: 'always' }, true, "can't create 'AutoRemove' container with restart policy"],
  ];
  for (const [policy, autoRemove, message] of cases) {
    test(`API: ${JSON.stringify(policy)}${autoRemove ? ' with AutoRemove' : ''} → 400 ${message}`, async () => {
      const r = await b.api('POST', '/v1.50/containers/create', { Image: 'busybox', HostConfig: { RestartPolicy: policy, AutoRemove: autoRemove } });
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { message });
    });
  }

  test('API: the count is allowed with an empty name (older daemons stored it so), stored as "no"', async () => {
    const r = await b.api('POST', '/v1.50/containers/create?name=emptyrp', { Image: 'busybox', HostConfig: { RestartPolicy: { Name: '', MaximumRetryCount: 5 } } });
    assert.equal(r.status, 201, r.text);
    const rp = (await b.api('GET', '/v1.50/containers/emptyrp/json')).json.HostConfig.RestartPolicy;
    await b.docker(['rm', 'emptyrp']);
    assert.deepEqual(rp, { Name: 'no', MaximumRetryCount: 0 });
  });

  for (const cli of ['docker', 'berth'] as const) {
    test(`${cli} CLI: --restart with --rm, a bad count, negative and misplaced counts`, async () => {
      const run = (args: string[]) => (cli === 'docker' ? b.docker(args) : b.berth(args));
      // The CLI's own checks exit 125, the daemon's refusals 1 (create) or 125 (run).
      const rm = await run(['create', '--rm', '--restart', 'always', 'busybox']);
      assert.equal(rm.code, 125);
      assert.match(rm.stderr, /conflicting options: cannot specify both --restart and --rm/);
      const nan = await run(['create', '--restart', 'on-failure:x', 'busybox']);
      assert.equal(nan.code, 125);
      assert.match(nan.stderr, /invalid restart policy format: maximum retry count must be an integer/);
      const neg = await run(['create', '--restart', 'on-failure:-1', 'busybox']);
      assert.equal(neg.code, 1);
      const runNeg = await run(['run', '--restart', 'on-failure:-1', 'busybox']);
      assert.equal(runNeg.code, 125);
      assert.match(neg.stderr, /Error response from daemon: invalid restart policy: maximum retry count cannot be negative/);
      const misplaced = await run(['create', '--restart', 'always:3', 'busybox']);
      assert.match(misplaced.stderr, /maximum retry count can only be used with 'on-failure'/);
      const unknown = await run(['create', '--restart', 'bogus', 'busybox']);
      assert.match(unknown.stderr, /unknown policy 'bogus'/);
    });
  }
});

// ---- top -------------------------------------------------------------------------------

describe('top', () => {
  before(async () => {
    await ok(b.docker(['run', '-d', '--name', 'topc', 'busybox', 'sh', '-c', 'sleep 600 & exec sleep 601']));
    if (d) await ok(docker(d.host, ['run', '-d', '--name', 'topc', 'busybox', 'sh', '-c', 'sleep 600 & exec sleep 601']));
  });
  after(async () => {
    await b.docker(['rm', '-f', 'topc']);
    if (d) await docker(d.host, ['rm', '-f', 'topc']);
  });

  test('default: ps -ef titles, one row per container process, CMD whole', async () => {
    const r = (await b.api('GET', '/v1.50/containers/topc/top')).json;
    assert.deepEqual(r.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    assert.deepEqual(r.Processes.map((p: string[]) => p[7]).sort(), ['sleep 600', 'sleep 601']);
    for (const row of r.Processes) assert.equal(row.length, 8);
  });

  test('ps_args aux and -o pid,comm', async () => {
    const aux = (await b.api('GET', '/v1.50/containers/topc/top?ps_args=aux')).json;
    assert.deepEqual(aux.Titles, ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND']);
    for (const row of aux.Processes) {
      assert.match(row[4], /^\d+$/, `VSZ ${row[4]}`);
      assert.match(row[5], /^\d+$/, `RSS ${row[5]}`);
    }
    const o = (await b.api('GET', `/v1.50/containers/topc/top?ps_args=${encodeURIComponent('-o pid,comm')}`)).json;
    assert.deepEqual(o.Titles, ['PID', 'COMMAND']);
    assert.deepEqual(o.Processes.map((p: string[]) => p[1]), ['sleep', 'sleep']);
  });

  test('ps_args errors: Docker\'s checks and ps\'s own failures, all 500 as in moby', async () => {
    const renamed = await b.api('GET', `/v1.50/containers/topc/top?ps_args=${encodeURIComponent('-o uid=PID')}`);
    assert.equal(renamed.status, 500);
    assert.deepEqual(renamed.json, { message: 'specifying "uid=PID" is not allowed' });
    const bogus = await b.api('GET', '/v1.50/containers/topc/top?ps_args=--bogus');
    assert.equal(bogus.status, 500);
    assert.deepEqual(bogus.json, { message: 'ps: error: unknown gnu long option' });
    const noPid = await b.api('GET', '/v1.50/containers/topc/top?ps_args=-o%20comm');
    assert.equal(noPid.status, 500);
    assert.deepEqual(noPid.json, { message: "Couldn't find PID field in ps output" });
    const stopped = await b.api('POST', '/v1.50/containers/create?name=topstopped', { Image: 'busybox' });
    assert.equal(stopped.status, 201);
    const notRunning = await b.api('GET', '/v1.50/containers/topstopped/top');
    await b.docker(['rm', 'topstopped']);
    assert.equal(notRunning.status, 409);
  });

  test('against dockerd: titles, row shapes and error replies agree', { skip: missing ? `skipped: ${missing}` : false }, async () => {
    for (const psArgs of ['', 'aux', '-o pid,comm', '-ef', 'x', '--bogus', '-o comm', '-o uid=PID']) {
      const q = psArgs ? `?ps_args=${encodeURIComponent(psArgs)}` : '';
      const [want, got] = await Promise.all([d!.host, b.host].map((h) => api(h, 'GET', `/${common}/containers/topc/top${q}`)));
      assert.equal(got.status, want.status, `ps_args ${psArgs}: ${JSON.stringify(got.json)} vs ${JSON.stringify(want.json)}`);
      if (want.status !== 200) {
        assert.deepEqual(got.json, want.json, `ps_args ${psArgs}`);
        continue;
      }
      assert.deepEqual(got.json.Titles, want.json.Titles, `ps_args ${psArgs}`);
      assert.equal(got.json.Processes.length, want.json.Processes.length, `ps_args ${psArgs}`);
      const last = (rows: string[][]) => rows.map((r) => r.at(-1)).sort();
      assert.deepEqual(last(got.json.Processes), last(want.json.Processes), `ps_args ${psArgs}`);
    }
  });
});

// ---- exec: Detach, the hijacked stream, inspect ----------------------------------------

describe('exec', () => {
  before(async () => {
    await ok(b.docker(['run', '-d', '--name', 'ex', 'busybox', 'sleep', '600']));
    if (d) await ok(docker(d.host, ['run', '-d', '--name', 'ex', 'busybox', 'sleep', '600']));
  });
  after(async () => {
    await b.docker(['rm', '-f', 'ex']);
    if (d) await docker(d.host, ['rm', '-f', 'ex']);
  });

  async function execCreate(host: string, version: string, body: object): Promise<string> {
    const r = await api(host, 'POST', `/${version}/containers/ex/exec`, { AttachStdout: true, AttachStderr: true, ...body });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json.Id;
  }

  test('start with Detach: 200 with an empty, unchunked body at once; the exit code in inspect afterwards', async () => {
    const id = await execCreate(b.host, 'v1.50', { Cmd: ['sh', '-c', 'sleep 3; exit 4'] });
    const reply = splitReply(await rawExchange(b.socket, post(`/v1.50/exec/${id}/start`, { Detach: true }), 200));
    assert.equal(reply.status, 'HTTP/1.1 200 OK');
    assert.deepEqual(reply.headers.find(([k]) => k === 'Content-Length'), ['Content-Length', '0']);
    assert.equal(reply.headers.some(([k]) => k === 'Transfer-Encoding'), false);
    assert.equal(reply.body.length, 0);
    const running = (await b.api('GET', `/v1.50/exec/${id}/json`)).json;
    assert.equal(running.Running, true);
    assert.equal(running.ExitCode, null);
    await waitFor(async () => (await b.api('GET', `/v1.50/exec/${id}/json`)).json.Running === false, 'the detached exec to end');
    const done = (await b.api('GET', `/v1.50/exec/${id}/json`)).json;
    assert.equal(done.ExitCode, 4);
    assert.equal(done.Pid, running.Pid, 'dockerd keeps the pid after the exit');
    assert.equal(done.CanRemove, false);
  });

  test('hijacked start: the exit code is in inspect as soon as the stream ends', async () => {
    for (let i = 0; i < 3; i++) {
      const id = await execCreate(b.host, 'v1.50', { Cmd: ['sh', '-c', `echo out; echo err >&2; exit ${i + 2}`] });
      const raw = await rawExchange(b.socket, post(`/v1.50/exec/${id}/start`, { Detach: false, Tty: false }, { Connection: 'Upgrade', Upgrade: 'tcp' }));
      const reply = splitReply(raw);
      assert.deepEqual(frames(reply.body).sort(), [[1, 'out\n'], [2, 'err\n']]);
      const r = (await b.api('GET', `/v1.50/exec/${id}/json`)).json;
      assert.equal(r.Running, false);
      assert.equal(r.ExitCode, i + 2);
    }
  });

  test('stdin half-close reaches the process, which then ends the stream', async () => {
    const id = await execCreate(b.host, 'v1.50', { Cmd: ['sh', '-c', 'cat; echo done'], AttachStdin: true });
    const out = await new Promise<Buffer>((resolve, reject) => {
      const s = connect(b.socket);
      const chunks: Buffer[] = [];
      s.on('connect', () => {
        s.write(post(`/v1.50/exec/${id}/start`, { Detach: false, Tty: false }, { Connection: 'Upgrade', Upgrade: 'tcp' }));
        setTimeout(() => s.end('piped in\n'), 200);
      });
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
    });
    assert.deepEqual(frames(splitReply(out).body).map(([, t]) => t).join(''), 'piped in\ndone\n');
    assert.equal((await b.api('GET', `/v1.50/exec/${id}/json`)).json.ExitCode, 0);
  });

  test('exec inspect: moby\'s fields, with the user only when set', async () => {
    const id = await execCreate(b.host, 'v1.50', { Cmd: ['true'], User: 'nobody', DetachKeys: 'ctrl-a,x', Tty: true });
    const r = (await b.api('GET', `/v1.50/exec/${id}/json`)).json;
    assert.deepEqual(Object.keys(r), ['ID', 'Running', 'ExitCode', 'ProcessConfig', 'OpenStdin', 'OpenStderr', 'OpenStdout', 'CanRemove', 'ContainerID', 'DetachKeys', 'Pid']);
    assert.deepEqual(r.ProcessConfig, { tty: true, entrypoint: 'true', arguments: [], privileged: false, user: 'nobody' });
    assert.equal(r.DetachKeys, 'ctrl-a,x');
    assert.equal(r.ExitCode, null);
    const plain = (await b.api('GET', `/v1.50/exec/${await execCreate(b.host, 'v1.50', { Cmd: ['true'] })}/json`)).json;
    assert.equal('user' in plain.ProcessConfig, false);
  });

  test('against dockerd: exec start replies, byte for byte up to versions and dates', { skip: missing ? `skipped: ${missing}` : false }, async () => {
    const shapes: Array<[string, object, Record<string, string>]> = [
      ['upgrade, no tty', { Tty: false }, { Connection: 'Upgrade', Upgrade: 'tcp' }],
      ['upgrade, tty', { Tty: true }, { Connection: 'Upgrade', Upgrade: 'tcp' }],
      ['no upgrade', { Tty: false }, {}],
    ];
    for (const [label, body, headers] of shapes) {
      const replies = [];
      for (const host of [d!.host, b.host]) {
        const id = await execCreate(host, common, { Cmd: ['sh', '-c', 'echo out; exit 3'], ...body });
        replies.push(splitReply(await rawExchange(sockOf(host), post(`/${common}/exec/${id}/start`, { Detach: false, ...body }, headers))));
        const inspected = (await api(host, 'GET', `/${common}/exec/${id}/json`)).json;
        assert.equal(inspected.ExitCode, 3);
      }
      const [want, got] = replies;
      assert.equal(got.status, want.status, label);
      assert.deepEqual(normalHeaders(got.headers), normalHeaders(want.headers), label);
      assert.deepEqual(got.body, want.body, label);
    }
    // Detach: the same empty reply.
    const detached = [];
    for (const host of [d!.host, b.host]) {
      const id = await execCreate(host, common, { Cmd: ['true'] });
      detached.push(splitReply(await rawExchange(sockOf(host), post(`/${common}/exec/${id}/start`, { Detach: true }))));
    }
    assert.equal(detached[1].status, detached[0].status);
    assert.deepEqual(normalHeaders(detached[1].headers), normalHeaders(detached[0].headers));
    // Exec inspect: the same keys in the same order.
    const keys = [];
    for (const host of [d!.host, b.host]) {
      const id = await execCreate(host, common, { Cmd: ['true'] });
      keys.push(Object.keys((await api(host, 'GET', `/${common}/exec/${id}/json`)).json));
    }
    assert.deepEqual(keys[1], keys[0]);
  });

  test('from API 1.42 a non-TTY upgrade says multiplexed-stream; a plain 200 always says raw-stream', async () => {
    const up = await execCreate(b.host, 'v1.50', { Cmd: ['true'] });
    const r1 = splitReply(await rawExchange(b.socket, post(`/v1.50/exec/${up}/start`, {}, { Connection: 'Upgrade', Upgrade: 'tcp' })));
    assert.deepEqual(r1.headers.slice(0, 3), [['Content-Type', 'application/vnd.docker.multiplexed-stream'], ['Connection', 'Upgrade'], ['Upgrade', 'tcp']]);
    assert.deepEqual(r1.headers.slice(3).map(([k]) => k), ['Api-Version', 'Docker-Experimental', 'Ostype', 'Server']);
    const plain = await execCreate(b.host, 'v1.50', { Cmd: ['true'] });
    const r2 = splitReply(await rawExchange(b.socket, post(`/v1.50/exec/${plain}/start`, {})));
    assert.equal(r2.status, 'HTTP/1.1 200 OK');
    assert.deepEqual(r2.headers[0], ['Content-Type', 'application/vnd.docker.raw-stream']);
    const old = await execCreate(b.host, 'v1.41', { Cmd: ['true'] });
    const r3 = splitReply(await rawExchange(b.socket, post(`/v1.41/exec/${old}/start`, {}, { Connection: 'Upgrade', Upgrade: 'tcp' })));
    assert.deepEqual(r3.headers[0], ['Content-Type', 'application/vnd.docker.raw-stream']);
  });
});

// ---- logs, attach and JSON reply framing -----------------------------------------------

describe('logs and attach replies', () => {
  before(async () => {
    const cmd = ['run', '-d', '--name', 'lg', 'busybox', 'sh', '-c', 'echo hello; echo oops >&2; exec sleep 600'];
    await ok(b.docker(cmd));
    if (d) await ok(docker(d.host, cmd));
    await sleep(500);
  });
  after(async () => {
    await b.docker(['rm', '-f', 'lg']);
    if (d) await docker(d.host, ['rm', '-f', 'lg']);
  });

  test('logs: streamed (chunked) with the daemon headers and the content type by API version', async () => {
    const r = splitReply(await rawExchange(b.socket, get('/v1.50/containers/lg/logs?stdout=1&stderr=1')));
    const h = Object.fromEntries(r.headers);
    assert.equal(h['Content-Type'], 'application/vnd.docker.multiplexed-stream');
    assert.equal(h['Transfer-Encoding'], 'chunked');
    for (const k of ['Api-Version', 'Docker-Experimental', 'Ostype', 'Server']) assert.ok(k in h, k);
    assert.equal('Connection' in h, false);
    const old = splitReply(await rawExchange(b.socket, get('/v1.41/containers/lg/logs?stdout=1'))).headers;
    assert.equal(Object.fromEntries(old)['Content-Type'], 'application/vnd.docker.raw-stream');
  });

  test('small JSON replies carry Content-Length, large ones are chunked (Go\'s 2 KiB buffer)', async () => {
    const small = Object.fromEntries(splitReply(await rawExchange(b.socket, get('/v1.50/containers/lg/top'))).headers);
    assert.match(small['Content-Length'], /^\d+$/);
    assert.equal(small['Transfer-Encoding'], undefined);
    const large = Object.fromEntries(splitReply(await rawExchange(b.socket, get('/v1.50/containers/lg/json'))).headers);
    assert.equal(large['Transfer-Encoding'], 'chunked');
  });

  test('against dockerd: logs, attach and JSON reply headers and bodies', { skip: missing ? `skipped: ${missing}` : false }, async () => {
    const requests: Array<[string, string]> = [
      ['logs', get(`/${common}/containers/lg/logs?stdout=1&stderr=1`)],
      ['attach, upgrade', post(`/${common}/containers/lg/attach?stream=1&stdout=1&stderr=1`, {}, { Connection: 'Upgrade', Upgrade: 'tcp' }).replace(/Content-Type[^\r]*\r\nContent-Length: 2\r\n\r\n\{\}/, 'Content-Length: 0\r\n\r\n')],
      ['attach, no upgrade', `POST /${common}/containers/lg/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: api\r\nContent-Length: 0\r\n\r\n`],
      ['attach logs', `POST /${common}/containers/lg/attach?logs=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`],
      ['top', get(`/${common}/containers/lg/top`)],
      ['ping', get('/_ping')],
      ['not found', get(`/${common}/containers/nope/json`)],
    ];
    for (const [label, request] of requests) {
      const [want, got] = await Promise.all([d!.host, b.host].map(async (h) => splitReply(await rawExchange(sockOf(h), request, 800))));
      assert.equal(got.status, want.status, label);
      // Header names and values, order aside (Go sorts them; Node puts Date last).
      // dockerd 20.10 sends logs without a Content-Type; 23+ (API 1.42's change) says raw-stream to
      // older clients, as berth does.
      const skip = (k: string) => ['Builder-Version', 'Cache-Control', 'Pragma', 'Swarm'].includes(k) || (label === 'logs' && k === 'Content-Type');
      const norm = (hs: Array<[string, string]>) => normalHeaders(hs).filter(([k]) => !skip(k)).sort();
      assert.deepEqual(norm(got.headers), norm(want.headers), label);
      if (label.startsWith('attach') || label === 'logs') {
        // The same frames (order between stdout and stderr is a race in dockerd).
        const body = (x: Buffer) => (label === 'logs' ? x.toString('latin1').replace(/\r\n[0-9a-f]+\r\n/g, '').replace(/^[0-9a-f]+\r\n/, '') : x.toString('latin1'));
        assert.deepEqual(frames(Buffer.from(body(got.body), 'latin1')).sort(), frames(Buffer.from(body(want.body), 'latin1')).sort(), label);
      }
    }
  });
});

// ---- websocket attach ------------------------------------------------------------------

function wsAttach(path: string, opts: WebSocket.ClientOptions = {}): { ws: WebSocket; messages: Array<{ data: string; binary: boolean }>; closed: Promise<number>; opened: Promise<void> } {
  const ws = new WebSocket(`ws+unix://${b.socket}:${path}`, opts);
  const messages: Array<{ data: string; binary: boolean }> = [];
  ws.on('message', (data, binary) => messages.push({ data: String(data), binary }));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  return { ws, messages, closed, opened };
}

describe('websocket attach (/containers/{id}/attach/ws)', () => {
  const LOOP = 'echo ready; while read l; do echo "got:$l"; echo "err:$l" >&2; [ "$l" = quit ] && exit 7; done';

  test('output as binary messages (no stdcopy framing), input from the client, closed with 1000 when the container exits', async () => {
    await ok(b.docker(['run', '-d', '-i', '--name', 'wsa', 'busybox', 'sh', '-c', LOOP]));
    try {
      const a = wsAttach('/v1.50/containers/wsa/attach/ws?logs=1&stream=1&stdin=1&stdout=1&stderr=1');
      await a.opened;
      await waitFor(async () => a.messages.some((m) => m.data.includes('ready')), 'the logged line');
      a.ws.send('hello\n');
      await waitFor(async () => a.messages.map((m) => m.data).join('').includes('err:hello'), 'the echo of our input');
      a.ws.send(Buffer.from('quit\n'));
      assert.equal(await a.closed, 1000);
      const all = a.messages.map((m) => m.data).join('');
      assert.equal(all, 'ready\ngot:hello\nerr:hello\ngot:quit\nerr:quit\n');
      assert.ok(a.messages.every((m) => m.binary), 'binary frames from API 1.28');
      assert.equal(await ok(b.docker(['inspect', '-f', '{{.State.ExitCode}}', 'wsa'])), '7');
    } finally {
      await b.docker(['rm', '-f', 'wsa']);
    }
  });

  test('stdout only; text frames before API 1.28; the client closing leaves the container running', async () => {
    await ok(b.docker(['run', '-d', '-i', '--name', 'wsb', 'busybox', 'sh', '-c', LOOP]));
    try {
      const a = wsAttach('/v1.27/containers/wsb/attach/ws?stream=1&stdin=1&stdout=1');
      await a.opened;
      a.ws.send('one\n');
      await waitFor(async () => a.messages.map((m) => m.data).join('').includes('got:one'), 'the echo');
      assert.equal(a.messages.map((m) => m.data).join('').includes('err:'), false, 'no stderr asked for');
      assert.ok(a.messages.every((m) => !m.binary), 'text frames before 1.28');
      a.ws.close();
      await a.closed;
      await sleep(300);
      assert.equal(await ok(b.docker(['inspect', '-f', '{{.State.Running}}', 'wsb'])), 'true');
    } finally {
      await b.docker(['rm', '-f', 'wsb']);
    }
  });

  test('errors: no such container (404 before the handshake), not a websocket request (x/net\'s 400)', async () => {
    const missingC = wsAttach('/v1.50/containers/nope/attach/ws?stream=1');
    const status = await new Promise<number>((resolve) => missingC.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    missingC.ws.on('error', () => {});
    assert.equal(status, 404);
    await ok(b.docker(['run', '-d', '--name', 'wsc', 'busybox', 'sleep', '60']));
    try {
      const plain = await rawExchange(b.socket, get('/v1.50/containers/wsc/attach/ws?stream=1'));
      assert.equal(plain.toString(), 'HTTP/1.1 400 Bad Request\r\n\r\nnot websocket protocol');
    } finally {
      await b.docker(['rm', '-f', 'wsc']);
    }
  });
});

// ---- DetachKeys from the client's config file ------------------------------------------

const PTY = String.raw`
import os, sys, fcntl, termios, subprocess, select, json, time
cmd = json.loads(sys.argv[1]); env = dict(os.environ, **json.loads(sys.argv[2])); script = json.loads(sys.argv[3])
master, slave = os.openpty()
def pre():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, preexec_fn=pre, close_fds=True, env=env)
os.close(slave)
out = b''
def pump(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([master], [], [], 0.05)
        if master in r:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            out += data
for step in script:
    if 'wait_for' in step:
        end = time.time() + 20
        while step['wait_for'].encode() not in out and time.time() < end and p.poll() is None:
            pump(0.1)
    if 'write' in step:
        os.write(master, bytes.fromhex(step['write']))
    if 'pause' in step:
        pump(step['pause'])
try:
    code = p.wait(timeout=20)
except subprocess.TimeoutExpired:
    p.kill()
    code = -1
pump(0.2)
sys.stdout.write(json.dumps({'exit': code, 'output': out.decode('utf8', 'replace')}))
`;

async function onPty(argv: string[], env: Record<string, string>, script: object[]): Promise<{ exit: number; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bt-pty-'));
  const driver = join(dir, 'pty.py');
  await writeFile(driver, PTY);
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('python3', [driver, JSON.stringify(argv), JSON.stringify(env), JSON.stringify(script)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let err = '';
      p.stdout.on('data', (c) => (text += String(c)));
      p.stderr.on('data', (c) => (err += String(c)));
      p.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`pty driver: ${err}`))));
    });
    return JSON.parse(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

test('exec DetachKeys are the daemon\'s to act on: the sequence ends the stream, the exec runs on', async () => {
  await ok(b.docker(['run', '-d', '--name', 'dkraw', 'busybox', 'sleep', '600']));
  try {
    const created = await b.api('POST', '/v1.50/containers/dkraw/exec', { Cmd: ['sh'], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true, DetachKeys: 'ctrl-x,x' });
    const id = created.json.Id;
    const out = await new Promise<string>((resolve, reject) => {
      const s = connect(b.socket);
      let text = '';
      let sent = false;
      s.on('connect', () => s.write(post(`/v1.50/exec/${id}/start`, { Detach: false, Tty: true }, { Connection: 'Upgrade', Upgrade: 'tcp' })));
      s.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        if (!sent && text.includes('\r\n\r\n')) {
          sent = true;
          // The default keys are data here; then the configured sequence.
          s.write('\x10\x11echo mark-$((6*7))\n');
          setTimeout(() => s.write('\x18x'), 500);
        }
      });
      s.on('end', () => resolve(text));
      s.on('error', reject);
      setTimeout(() => reject(new Error(`no detach: ${text}`)), 15_000).unref();
    });
    assert.match(out, /mark-42/);
    const r = (await b.api('GET', `/v1.50/exec/${id}/json`)).json;
    assert.equal(r.Running, true, 'detaching leaves the exec running');
    process.kill(r.Pid, 'SIGKILL');
  } finally {
    await b.docker(['rm', '-f', 'dkraw']);
  }
});

describe('exec DetachKeys from the client\'s config file', () => {
  before(async () => {
    await ok(b.docker(['run', '-d', '--name', 'dkc', 'busybox', 'sleep', '600']));
  });
  after(async () => {
    await b.docker(['rm', '-f', 'dkc']);
  });

  async function execIdsRunning(): Promise<Array<{ id: string; running: boolean; keys: string; pid: number }>> {
    const ids: string[] = (await b.api('GET', '/v1.50/containers/dkc/json')).json.ExecIDs ?? [];
    return Promise.all(ids.map(async (id) => {
      const r = (await b.api('GET', `/v1.50/exec/${id}/json`)).json;
      return { id, running: r.Running, keys: r.DetachKeys, pid: r.Pid };
    }));
  }

  for (const cli of ['docker', 'berth'] as const) {
    test(`${cli} exec -it with detachKeys ctrl-x,x in the config file: those keys detach, ctrl-p ctrl-q do not`, async () => {
      const dir = await mkdtemp(join(tmpdir(), `bt-${cli}-config-`));
      try {
        await writeFile(join(dir, 'config.json'), JSON.stringify({ detachKeys: 'ctrl-x,x' }));
        const env: Record<string, string> = cli === 'docker' ? { DOCKER_CONFIG: dir } : { BERTH_CONFIG: dir };
        const bin = cli === 'docker' ? 'docker' : join(ROOT, 'bin/berth');
        const before = new Set((await execIdsRunning()).map((e) => e.id));
        const r = await onPty([bin, '-H', b.host, 'exec', '-it', 'dkc', 'sh'], env, [
          { wait_for: '# ' },
          // ctrl-p ctrl-q is not the sequence here: it goes to the shell as input.
          { write: hex('\x10\x11echo mark-$((6*7))\r') },
          { wait_for: 'mark-42' },
          { write: hex('\x18x') },
          { pause: 0.5 },
        ]);
        // Both CLIs report the detach as docker does: the message, exit status 1.
        assert.equal(r.exit, 1, r.output);
        assert.match(r.output, /mark-42/);
        assert.match(r.output, /read escape sequence/);
        const mine = (await execIdsRunning()).filter((e) => !before.has(e.id));
        assert.equal(mine.length, 1);
        assert.equal(mine[0].keys, 'ctrl-x,x', 'the CLI sent the config file\'s keys');
        assert.equal(mine[0].running, true, 'detaching leaves the exec running');
        // End the detached shell (its pid is the host's).
        process.kill(mine[0].pid, 'SIGKILL');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
