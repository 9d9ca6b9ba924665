// The berth CLI's framework against a real berthd and next to the real docker CLI: version,
// the cannot-connect message, flag/argument/command errors word for word as docker prints them
// (with 'berth'), host precedence, the config dir and bash completion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemonWithBusybox, run, ROOT, type Daemon } from './harness.ts';

const BERTH = join(ROOT, 'bin/berth');
let d: Daemon;
let dir: string;
before(async () => {
  d = await startDaemonWithBusybox();
  dir = await mkdtemp(join(tmpdir(), 'berth-cli-it-'));
});
after(async () => {
  await d?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** berth without the harness's -H, in a clean environment (no inherited hosts). */
function berth(args: string[], env: Record<string, string> = {}) {
  return run(BERTH, args, { env: { BERTH_HOST: '', DOCKER_HOST: '', BERTH_CONFIG: '', ...env } });
}

/** docker's text with berth's name (not in URLs). */
function asBerth(text: string): string {
  return text.replaceAll('docker.com', '\0').replaceAll('docker', 'berth').replaceAll('\0', 'docker.com');
}

test('berth version: client and server sections, --format, json', async () => {
  const r = await d.berth(['version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Client:\n Version: {11}0\.1\.0\n API version: {7}1\.50\n/);
  assert.match(r.stdout, /\n\nServer: berth\n Engine:\n {2}Version: {10}\S+\n {2}API version: {6}1\.50 \(minimum version 1\.24\)\n/);
  const server = (await d.api('GET', '/version')).json;
  const f = await d.berth(['version', '--format', '{{.Server.Version}} {{.Client.APIVersion}}']);
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.stdout, `${server.Version} 1.50\n`);
  const j = await d.berth(['version', '-f', 'json']);
  assert.equal(j.code, 0, j.stderr);
  const parsed = JSON.parse(j.stdout);
  assert.equal(parsed.Client.ApiVersion, '1.50');
  assert.equal(parsed.Server.Version, server.Version);
  // An older API version asked for by the environment is used as is.
  const old = await d.berth(['version', '--format', '{{.Client.APIVersion}}'], { env: { BERTH_API_VERSION: '1.41' } });
  assert.equal(old.stdout, '1.41\n');
});

test('-v prints the version line without a daemon', async () => {
  const r = await berth(['-v'], { BERTH_HOST: 'unix:///nonexistent/berth.sock' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^berth version 0\.1\.0, build (\w{7}|unknown)\n$/);
});

test('no daemon: "Cannot connect to the berth daemon" and exit 1, after the client section', async () => {
  const sock = join(dir, 'absent.sock');
  const r = await berth(['-H', `unix://${sock}`, 'version']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `Cannot connect to the berth daemon at unix://${sock}. Is the daemon running?\n`);
  assert.match(r.stdout, /^Client:\n/);
  assert.doesNotMatch(r.stdout, /Server:/);
  const tcp = await berth(['-H', 'tcp://127.0.0.1:1', 'version']);
  assert.equal(tcp.code, 1);
  assert.equal(tcp.stderr, 'Cannot connect to the berth daemon at tcp://127.0.0.1:1. Is the daemon running?\n');
});

// Command lines whose errors need no daemon; each must fail the same way in both CLIs. The
// second element names a verb another part of the CLI registers (checked with `berth help`).
const sameAsDocker: [string[], string?][] = [
  [['--foo', 'version']],
  [['-x']],
  [['--debug=x', 'version']],
  [['-H']],
  [['-l', 'foo', 'version']],
  [['foo']],
  [['container', 'foo']],
  [['container', '--foo']],
  [['help', 'foo']],
  [['version', '--foo']],
  [['version', '-x']],
  [['version', 'a']],
  [['version', '--format']],
  [['ps', '--foo'], 'ps'],
  [['ps', '-x'], 'ps'],
  [['ps', 'a', 'b'], 'ps'],
  [['ps', '--all=maybe'], 'ps'],
  [['ps', '-qa=x'], 'ps'],
  [['ps', '-aqn'], 'ps'],
  [['container', 'ls', 'a'], 'ps'],
  [['logs', '--tail'], 'logs'],
  [['logs', '-n'], 'logs'],
  [['logs', 'a', 'b'], 'logs'],
  [['rm'], 'rm'],
  [['rm', '-fx', 'a'], 'rm'],
  [['stop', '--time', 'x', 'c'], 'stop'],
  [['stop', '-t'], 'stop'],
  [['kill', '-s'], 'kill'],
  [['run'], 'run'],
  [['run', '--foo'], 'run'],
  [['exec', 'a'], 'exec'],
];

for (const [argv, verb] of sameAsDocker) {
  test(`same error as docker: ${argv.join(' ')}`, async (t) => {
    if (verb && (await berth(['help', verb])).code !== 0) {
      t.skip(`'${verb}' is not registered yet`);
      return;
    }
    const env = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', BERTH_HOST: 'unix:///nonexistent/berth.sock' };
    const docker = await run('docker', argv, { env });
    const ours = await berth(argv, env);
    assert.equal(ours.stderr, asBerth(docker.stderr));
    assert.equal(ours.code, docker.code);
    assert.equal(ours.stdout, asBerth(docker.stdout));
  });
}

test('help texts match docker: the version command and management commands', async () => {
  const docker = await run('docker', ['version', '--help']);
  const ours = await berth(['version', '--help']);
  assert.equal(ours.code, 0);
  assert.equal(ours.stdout, asBerth(docker.stdout).replace('Show the Docker version information', 'Show the berth version information'));
  const group = await berth(['container']);
  assert.equal(group.code, 0);
  assert.match(group.stdout, /^Usage: {2}berth container COMMAND\n\nManage containers\n\nCommands:\n/);
  assert.match(group.stdout, /\n\nRun 'berth container COMMAND --help' for more information on a command\.\n$/);
  const root = await berth(['--help']);
  assert.match(root.stdout, /^Usage: {2}berth \[OPTIONS\] COMMAND\n\nA self-sufficient runtime for containers\n\nCommon Commands:\n/);
  // docker's list starts with builder too; compose sits where docker lists its compose plugin.
  assert.match(root.stdout, /\nManagement Commands:\n {2}builder {5}Manage builds\n {2}compose {5}Docker Compose\n {2}container {3}Manage containers\n {2}image {7}Manage images\n/);
  assert.match(root.stdout, /\nGlobal Options:\n {6}--config string {6}Location of client config files \(default\n/);
});

test('host precedence: -H, then BERTH_HOST, then DOCKER_HOST', async () => {
  const bad = `unix://${join(dir, 'bad.sock')}`;
  const viaBerth = await berth(['version', '-f', '{{.Server.Version}}'], { BERTH_HOST: d.host, DOCKER_HOST: bad });
  assert.equal(viaBerth.code, 0, viaBerth.stderr);
  const viaDocker = await berth(['version', '-f', '{{.Server.Version}}'], { DOCKER_HOST: d.host });
  assert.equal(viaDocker.code, 0, viaDocker.stderr);
  const berthWins = await berth(['version'], { BERTH_HOST: bad, DOCKER_HOST: d.host });
  assert.equal(berthWins.code, 1);
  assert.match(berthWins.stderr, new RegExp(`at ${bad.replaceAll('/', '\\/')}\\. Is the daemon running`));
  const flagWins = await berth(['-H', d.host, 'version', '-f', '{{.Server.Version}}'], { BERTH_HOST: bad });
  assert.equal(flagWins.code, 0, flagWins.stderr);
});

test('--config and BERTH_CONFIG pick the config dir; a broken config.json is a warning', async () => {
  const cfg = join(dir, 'cfg');
  const help = await berth(['--help'], { BERTH_CONFIG: cfg });
  assert.match(help.stdout, new RegExp(`--config string {6}Location of client config files \\(default\\n {27}"${cfg}"\\)`));
  const fine = await berth(['--config', cfg, '-H', d.host, 'version']);
  assert.equal(fine.code, 0);
  assert.equal(fine.stderr, '');
  await rm(cfg, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(cfg, { recursive: true }));
  await writeFile(join(cfg, 'config.json'), '{"auths": {');
  for (const r of [await berth(['--config', cfg, '-H', d.host, 'version']), await berth(['-H', d.host, 'version'], { BERTH_CONFIG: cfg })]) {
    assert.equal(r.code, 0);
    assert.match(r.stderr, new RegExp(`^WARNING: Error loading config file: ${join(cfg, 'config.json')}: `));
  }
  await writeFile(join(cfg, 'config.json'), '{"auths": {}, "psFormat": "table {{.ID}}"}');
  const ok = await berth(['-H', d.host, 'version'], { BERTH_CONFIG: cfg });
  assert.equal(ok.stderr, '');
});

async function completer(): Promise<(words: string[]) => Promise<string[]>> {
  const script = await d.berth(['completion', 'bash']);
  assert.equal(script.code, 0, script.stderr);
  const file = join(dir, 'berth.bash');
  await writeFile(file, script.stdout);
  return async (words: string[]) => {
    const line = words.map((w) => `'${w}'`).join(' ');
    const r = await run('bash', ['-c', `PATH=${join(ROOT, 'bin')}:$PATH; source ${file}; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _berth; printf '%s\\n' "\${COMPREPLY[@]}"`]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };
}

test('berth completion bash: valid bash that completes commands and flags', async () => {
  const complete = await completer();
  assert.deepEqual(await complete(['berth', 'cont']), ['container']);
  assert.ok((await complete(['berth', 'container', ''])).includes('ls'));
  assert.deepEqual(await complete(['berth', 'version', '--fo']), ['--format']);
  assert.deepEqual(await complete(['berth', '-H', d.host, 'version', '-f', '']), []);
  assert.deepEqual(await complete(['berth', 'version', '--h']), ['--help']);
});

test('berth completion bash: container and image names from the daemon given with -H', async (t) => {
  const made = await d.docker(['create', '--name', 'cli1-completion-box', 'busybox', 'true']);
  assert.equal(made.code, 0, made.stderr);
  try {
    // The names come from `berth ps` and `berth images`, which other parts of the CLI provide.
    const ps = await d.berth(['ps', '-a', '--format', '{{.Names}}']);
    if (ps.code !== 0 || !ps.stdout.includes('cli1-completion-box')) {
      t.skip('berth ps --format is not available yet');
      return;
    }
    const complete = await completer();
    assert.deepEqual(await complete(['berth', '-H', d.host, 'rm', 'cli1-comp']), ['cli1-completion-box']);
    assert.deepEqual(await complete(['berth', '-H', d.host, 'rmi', 'busy']), ['busybox:latest']);
  } finally {
    await d.docker(['rm', '-f', 'cli1-completion-box']);
  }
});
