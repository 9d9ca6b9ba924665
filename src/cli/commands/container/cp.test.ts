// `berth cp --help` against the golden file recorded from docker 28.2 (`docker` → `berth`):
// two usage lines and the long description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCommandTree, findPath } from '../../framework/command-tree.ts';
import { renderHelp } from '../../framework/help.ts';
import { cpCommand } from './cp.ts';

test('berth cp --help matches docker cp --help', () => {
  const tree = buildCommandTree({
    programName: 'berth',
    short: 'A self-sufficient runtime for containers',
    globalFlags: [],
    commands: [{ name: 'container', usage: '', short: 'Manage containers', subcommands: [cpCommand] }],
    shortcuts: [{ name: 'cp', target: ['container', 'cp'] }],
    common: [],
  });
  const golden = readFileSync(join(import.meta.dirname, 'testdata/cp-help.golden'), 'utf8');
  assert.equal(renderHelp(tree, findPath(tree.root, ['cp'])!, 79), golden);
});
