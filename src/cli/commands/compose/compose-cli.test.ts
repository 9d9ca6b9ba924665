// Pure logic of the `berth compose` commands: rows and tables as docker compose v2 prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, type ContainerSummary } from '../../../compose/index.ts';
import { parsePsFilter, psRow } from './ps.ts';
import { combinedStatus, containersToStacks } from './ls.ts';
import { eventJson, eventText, toComposeEvent } from './events.ts';
import { imagesTable, splitRepoTag } from './images.ts';
import { topSection } from './top.ts';
import { shellSplit } from './run.ts';
import { resolveEnv } from './exec.ts';
import { extractVariables, variablesJson, variablesYaml } from './variables.ts';

function container(over: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    Id: 'f2032918c87b58bdb8887f2e9cad7c3ee2c2a120e35b4ac89fd738181b2fb5fd', Names: ['/demo-web-1'], Image: 'busybox', ImageID: 'sha256:aa',
    Command: "sh -c 'echo hello from web1'", Created: 1_700_000_000, State: 'running', Status: 'Up 2 minutes',
    Ports: [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }],
    Labels: { [LABEL.project]: 'demo', [LABEL.service]: 'web', [LABEL.configFiles]: '/d/compose.yaml' },
    NetworkSettings: { Networks: { demo_default: {} } },
    ...over,
  };
}

test('ps row: compose columns, truncation, ports and JSON keys in Go order', () => {
  const row = psRow(container(), { exitCode: 0, health: '' }, true, 1_700_000_120_000) as Record<string, unknown>;
  assert.equal(row.Name, 'demo-web-1');
  assert.equal(row.Command, '"sh -c \'echo hello f…"');
  assert.equal(row.Service, 'web');
  assert.equal(row.Project, 'demo');
  assert.equal(row.ID, 'f2032918c87b');
  assert.equal(row.RunningFor, '2 minutes ago');
  assert.equal(row.Ports, '53/udp, 127.0.0.1:8080->80/tcp');
  assert.equal(row.Networks, 'demo_default');
  assert.deepEqual(row.Publishers, [
    { URL: '', TargetPort: 53, PublishedPort: 0, Protocol: 'udp' },
    { URL: '127.0.0.1', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' },
  ]);
  const keys = Object.keys(row);
  assert.deepEqual(keys, [...keys].sort());
  assert.equal((row.Label as (k: string) => string)(LABEL.service), 'web');
  assert.ok(!JSON.stringify(row).includes('Label"'));
  const full = psRow(container(), { exitCode: 3, health: 'healthy' }, false) as Record<string, unknown>;
  assert.equal(full.ID, container().Id);
  assert.equal(full.ExitCode, 3);
  assert.equal(full.Command, '"sh -c \'echo hello from web1\'"');
});

test('ps --filter: only status=, with compose messages', () => {
  assert.deepEqual(parsePsFilter('status=exited'), ['exited']);
  assert.deepEqual(parsePsFilter(''), []);
  assert.throws(() => parsePsFilter('status'), /arguments to --filter should be in form KEY=VAL/);
  assert.throws(() => parsePsFilter('name=x'), /unknown filter name/);
});

test('ls: status counts sorted by state, config files unique per project, projects sorted', () => {
  assert.equal(combinedStatus(['running', 'exited', 'running']), 'exited(1), running(2)');
  assert.equal(combinedStatus([]), '');
  const stacks = containersToStacks([
    container({ State: 'running' }),
    container({ State: 'exited', Labels: { [LABEL.project]: 'demo', [LABEL.configFiles]: '/d/compose.yaml' } }),
    container({ State: 'running', Labels: { [LABEL.project]: 'alpha', [LABEL.configFiles]: '/a/x.yml,/a/y.yml' } }),
    container({ State: 'running', Labels: {} }),
  ]);
  assert.deepEqual(stacks, [
    { Name: 'alpha', Status: 'running(1)', ConfigFiles: '/a/x.yml,/a/y.yml' },
    { Name: 'demo', Status: 'exited(1), running(1)', ConfigFiles: '/d/compose.yaml' },
  ]);
  assert.throws(() => containersToStacks([container({ Labels: { [LABEL.project]: 'p' } })]), /No label "com.docker.compose.project.config_files" set on container/);
});

test('events: container events only, one-offs and compose labels left out, text and JSON forms', () => {
  const ev = { Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { [LABEL.service]: 'web', [LABEL.project]: 'demo', name: 'demo-web-1', image: 'busybox' } }, time: 1 };
  const e = toComposeEvent(ev, '1767323045678901234', [])!;
  assert.equal(eventText(e), '2026-01-02 03:04:05.678901 container start abc (image=busybox, name=demo-web-1)\n\n');
  assert.equal(eventJson(e), '{"action":"start","attributes":{"image":"busybox","name":"demo-web-1"},"id":"abc","service":"web","time":"2026-01-02T03:04:05.678901234Z","type":"container"}\n');
  assert.equal(toComposeEvent({ ...ev, Type: 'network' }, undefined, []), undefined);
  assert.equal(toComposeEvent({ ...ev, Actor: { ID: 'x', Attributes: { [LABEL.oneOff]: 'True' } } }, undefined, []), undefined);
  assert.equal(toComposeEvent(ev, undefined, ['db']), undefined);
});

test('images: repository and tag of the first RepoTag, <none> when untagged', () => {
  assert.deepEqual(splitRepoTag('busybox:latest'), ['busybox', 'latest']);
  assert.deepEqual(splitRepoTag('reg:5000/a/b:1.2'), ['reg:5000/a/b', '1.2']);
  assert.deepEqual(splitRepoTag('reg:5000/a/b'), ['reg:5000/a/b', '']);
  assert.deepEqual(splitRepoTag(undefined), ['', '']);
  assert.equal(imagesTable([{ ID: 'sha256:4c883736c72ed6d1d12fad4d', ContainerName: 'demo-web-1', Repository: '', Tag: '', Size: 1982405 }]),
    'CONTAINER           REPOSITORY          TAG                 IMAGE ID            SIZE\n' +
    'demo-web-1          <none>              <none>              4c883736c72e        1.98MB\n');
});

test('top: the name, then the process table with rows ending in a cell, then a blank line', () => {
  assert.equal(topSection('demo-web-1', ['UID', 'PID', 'CMD'], [['root', '1', 'sleep 9']]),
    'demo-web-1\nUID                 PID                 CMD\nroot                1                   sleep 9             \n\n');
});

test('run --entrypoint is split as shell words; exec -e KEY takes our environment', () => {
  assert.deepEqual(shellSplit(`sh -c 'echo "a b"'  x\\ y ""`), ['sh', '-c', 'echo "a b"', 'x y', '']);
  assert.throws(() => shellSplit(`sh -c 'oops`), /invalid command line string/);
  assert.deepEqual(resolveEnv(['A=1', 'B', 'C'], { B: '2' }), ['A=1', 'B=2']);
});

test('config --variables: names, defaults, required and alternate values, nested and escaped forms', () => {
  const vars = extractVariables({
    a: 'x ${A:-one} $B $$NOT ${C:?need it} ${D:+alt} ${E-${F}}',
    list: ['${A}', '$G_1'],
    '${KEY}': 1,
  });
  assert.deepEqual([...vars.keys()].sort(), ['A', 'B', 'C', 'D', 'E', 'F', 'G_1', 'KEY']);
  assert.deepEqual(vars.get('A'), { Name: 'A', DefaultValue: 'one', PresenceValue: '', Required: false });
  assert.equal(vars.get('C')!.Required, true);
  assert.equal(vars.get('D')!.PresenceValue, 'alt');
  assert.equal(vars.get('E')!.DefaultValue, '${F}');
  assert.equal(variablesYaml(new Map([['A', vars.get('A')!]])), 'A:\n    name: A\n    defaultvalue: one\n    presencevalue: ""\n    required: false\n');
  assert.equal(variablesJson(new Map([['C', vars.get('C')!]])), '{\n    "C": {\n        "Name": "C",\n        "DefaultValue": "",\n        "PresenceValue": "",\n        "Required": true\n    }\n}\n');
});
