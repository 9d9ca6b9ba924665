// The create bodies berth builds, compared with the ones the real docker CLI sent for the same
// argv (recorded by testdata/record.mjs), plus docker's errors for bad combinations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCreateRequest } from './container-config.ts';
import { containerFlags, createOnlyFlags, runOnlyFlags } from './container-flags.ts';
import { FlagValueError, OptionError } from './errors.ts';
import { flagsFromArgv } from './flags.test-helpers.ts';

const testdata = join(import.meta.dirname, 'testdata');
const specs = [...containerFlags, ...createOnlyFlags('run'), ...runOnlyFlags];

function build(argv: string[], env: Record<string, string> = {}) {
  const { flags, args } = flagsFromArgv(specs, argv);
  return buildCreateRequest(flags, args, { lookupEnv: (k) => env[k], cwd: '/work' });
}

/** Go map order is random in docker's Binds and (docker 28) its -e values: compare as sets. */
function normalize(body: any): any {
  const b = structuredClone(body);
  if (Array.isArray(b.HostConfig?.Binds)) b.HostConfig.Binds.sort();
  if (Array.isArray(b.Env)) b.Env.sort();
  return b;
}

for (const file of readdirSync(testdata).filter((f) => f.endsWith('.json') && f !== 'cases.json')) {
  test(`create body matches docker's: ${file}`, () => {
    const fx = JSON.parse(readFileSync(join(testdata, file), 'utf8'));
    const argv = fx.argv.map((a: string) => (a === 'ENVFILE' ? join(testdata, 'env.list') : a === 'LABELFILE' ? join(testdata, 'labels.list') : a));
    const req = build(argv, fx.env);
    assert.deepEqual(normalize(req.body), normalize(fx.body));
    const q = new URLSearchParams(fx.url.split('?')[1] ?? '');
    assert.equal(req.name, q.get('name') ?? '');
    assert.equal(req.platform, q.get('platform') ?? '');
  });
}

const errors: Array<[string[], string, typeof FlagValueError | typeof OptionError]> = [
  [['-p', '99999:80', 'x'], 'invalid hostPort: 99999', OptionError],
  [['-m', '5x', 'x'], 'invalid argument "5x" for "-m, --memory" flag: invalid suffix: \'x\'', FlagValueError],
  [['--cpus', 'abc', 'x'], 'invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number', FlagValueError],
  [['--ulimit', 'foo=1', 'x'], 'invalid argument "foo=1" for "--ulimit" flag: invalid ulimit type: foo', FlagValueError],
  [['-e', '=x', 'x'], 'invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x', FlagValueError],
  [['--mount', 'type=foo', 'x'], 'invalid argument "type=foo" for "--mount" flag: target is required', FlagValueError],
  [['--add-host', 'foo', 'x'], 'invalid argument "foo" for "--add-host" flag: bad format for add-host: "foo"', FlagValueError],
  [['--label-file', '/nope/x', 'x'], 'open /nope/x: no such file or directory', OptionError],
  [['--health-interval', '-1s', 'x'], '--health-interval cannot be negative', OptionError],
  [['--restart', 'always', '--rm', 'x'], 'conflicting options: cannot specify both --restart and --rm', OptionError],
  [['-a', 'foo', 'x'], 'invalid argument "foo" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR', FlagValueError],
  [['--sysctl', 'x', 'x'], 'invalid argument "x" for "--sysctl" flag: sysctl \'x\' is not allowed', FlagValueError],
  [['--log-driver', 'none', '--log-opt', 'a=b', 'x'], 'invalid logging opts for driver none', OptionError],
  [['--no-healthcheck', '--health-cmd', 'x', 'x'], '--no-healthcheck conflicts with --health-* options', OptionError],
  [['--restart', ':3', 'x'], 'invalid restart policy format: no policy provided before colon', OptionError],
  [['--memory-swappiness', '101', 'x'], 'invalid value: 101. Valid memory swappiness range is 0-100', OptionError],
  [['-v', '', 'x'], 'invalid empty volume spec', OptionError],
  [['--network', 'host', '--network-alias', 'a', 'x'], 'network-scoped aliases are only supported for user-defined networks', OptionError],
  [['--network', 'host', '--network', 'n1', 'x'], 'conflicting options: cannot attach both user-defined and non-user-defined network-modes', OptionError],
  [['--pid', 'bogus', 'x'], '--pid: invalid PID mode', OptionError],
  [['--security-opt', 'label', 'x'], 'invalid --security-opt: "label"', OptionError],
];

for (const [argv, message, kind] of errors) {
  test(`docker's error for ${argv.slice(0, -1).join(' ')}`, () => {
    assert.throws(() => build(argv), (err: Error) => {
      assert.ok(err instanceof kind, `${err.constructor.name}: ${err.message}`);
      assert.equal(err.message, message);
      return true;
    });
  });
}

test('-e NAME takes the value from the client environment, or stays bare', () => {
  assert.deepEqual(build(['-e', 'HOME', '-e', 'NOPE', 'x'], { HOME: '/h' }).body.Env, ['HOME=/h', 'NOPE']);
});

test('a relative bind source is made absolute against the working directory', () => {
  assert.deepEqual(build(['-v', './data:/data', 'x']).body.HostConfig.Binds, ['/work/data:/data']);
});
