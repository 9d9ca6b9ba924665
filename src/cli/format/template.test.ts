// Runs every case recorded from the real docker CLI (testdata/record.ts) through parseTemplate
// and formatList: the same template on the same data must print the same bytes, and a template
// docker rejects must fail with docker's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatList, parseTemplate, TemplateError, type ListFormatOptions } from './index.ts';
import type { Case } from './testdata/record.ts';

const recorded = JSON.parse(readFileSync(join(import.meta.dirname, 'testdata/template-cases.json'), 'utf8')) as {
  data: Record<string, unknown>;
  cases: Case[];
};

// docker/cli cli/command/formatter/container.go and image.go
const COMMANDS: Record<string, Omit<ListFormatOptions, 'format'>> = {
  ps: {
    defaultFormat: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
    headers: {
      ID: 'CONTAINER ID', Names: 'NAMES', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
      Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Labels: 'LABELS', Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES',
      Networks: 'NETWORKS',
    },
    quietField: 'ID',
    rowType: '*formatter.ContainerContext',
  },
  images: {
    defaultFormat: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
    headers: {
      ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
      Size: 'SIZE', Containers: 'CONTAINERS', VirtualSize: 'VIRTUAL SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
    },
    quietField: 'ID',
    rowType: '*formatter.imageContext',
  },
};

/** ps rows as the ps command builds them: the JSON fields plus docker's Label(name) method. */
function psRow(row: Record<string, string>): object {
  const labels = new Map((row.Labels ?? '').split(',').filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]));
  return { ...row, Label: (name: string) => labels.get(name) ?? '' };
}

test('the recording has enough cases', () => {
  assert.ok(recorded.cases.length >= 80, `only ${recorded.cases.length} cases`);
});

for (const c of recorded.cases) {
  test(c.name, () => {
    const data = recorded.data[c.dataKey];
    const run = (): string => {
      if (c.kind === 'inspect') return parseTemplate(c.template, { missingKey: 'inspect' }).execute(data) + '\n';
      if (c.command === 'ps') {
        const rows = (data as Record<string, string>[]).map(psRow);
        // ps checks the format on an empty row first, as docker's ps does
        const preflightRow = psRow(Object.fromEntries(Object.keys((data as object[])[0] ?? {}).map((k) => [k, ''])));
        return formatList(rows, { format: c.template, quiet: c.quiet, ...COMMANDS.ps, preflightRow });
      }
      return formatList(data as object[], { format: c.template, quiet: c.quiet, ...COMMANDS[c.command!] });
    };
    if (c.exitCode === undefined) {
      assert.equal(run(), c.stdout);
      return;
    }
    const expected = c.kind === 'inspect' ? c.stderr!.trim().replace(/^template parsing error: /, '') : c.stderr!.trim();
    assert.throws(run, (e: unknown) => {
      assert.ok(e instanceof TemplateError, `not a TemplateError: ${String(e)}`);
      assert.equal(e.message, expected);
      return true;
    });
  });
}
