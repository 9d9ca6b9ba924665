// `berth build -o/--output`: BuildKit's local and tar exporters, done by the client after a
// classic build: the final image's filesystem is exported through a container that is created
// and never started (GET /containers/{id}/export), then written as a tar (a file, or stdout with
// `-o -`) or extracted into a directory. Like BuildKit's `-o`, the build leaves no image behind
// unless it was tagged.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import type { CommandContext } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { extractTarInRoot } from '../../../archive/index.ts';
import { ContainerView, openRoot } from '../../../fsroot/index.ts';
import { writeArchiveOutput } from '../shared.ts';

export interface OutputSpec {
  type: 'local' | 'tar';
  /** A directory (local), a file or '-' for stdout (tar). */
  dest: string;
}

/** buildx's ParseOutputs for one value: "type=local,dest=DIR", "type=tar,dest=FILE", "DIR", "-". */
export function parseOutputSpec(value: string): OutputSpec {
  const fail = (why: string): never => {
    throw new StatusError(1, `invalid argument ${JSON.stringify(value)} for "-o, --output" flag: ${why}`);
  };
  const fields = value.split(',');
  if (fields.length === 1 && !value.startsWith('type=') && !value.includes('=')) {
    return value === '-' ? { type: 'tar', dest: '-' } : { type: 'local', dest: value };
  }
  let type = '';
  let dest = '';
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq < 0) fail(`invalid value ${field}`);
    const key = field.slice(0, eq).trim().toLowerCase();
    const v = field.slice(eq + 1);
    if (key === 'type') type = v;
    else if (key === 'dest') dest = v;
    else fail(`unknown output attribute ${JSON.stringify(key)} for type ${JSON.stringify(type || 'local')}`);
  }
  if (type === '') fail('type is required for output');
  if (type !== 'local' && type !== 'tar') fail(`output type ${JSON.stringify(type)} is not supported by berth (use "local" or "tar")`);
  if (dest === '') fail(type === 'local' ? 'output directory is required for local exporter' : 'output file is required for tar exporter');
  return { type: type as OutputSpec['type'], dest };
}

/** The outputs of the command line; BuildKit's classic API path takes one. */
export function parseOutputs(values: readonly string[], stdoutIsTTY: boolean): OutputSpec | undefined {
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new StatusError(1, 'multiple outputs currently unsupported');
  const spec = parseOutputSpec(values[0]!);
  if (spec.type === 'tar' && spec.dest === '-' && stdoutIsTTY) {
    throw new StatusError(1, 'output file is required for tar exporter. refusing to write to console');
  }
  return spec;
}

interface ImageInspect {
  RepoTags?: string[] | null;
  Config?: { Cmd?: string[] | null; Entrypoint?: string[] | null } | null;
}

/**
 * Exports the filesystem of `imageId` to `spec`. The helper container is always removed; the
 * image too when `removeImage` (no -t) and nothing names it.
 */
export async function exportBuildOutput(ctx: CommandContext, imageId: string, spec: OutputSpec, removeImage: boolean): Promise<void> {
  const image = await ctx.client.json<ImageInspect>('GET', `/images/${encodeURIComponent(imageId)}/json`);
  const hasCommand = Boolean(image.Config?.Cmd?.length || image.Config?.Entrypoint?.length);
  // Never started: the command only satisfies create's check of an image without one.
  const created = await ctx.client.json<{ Id: string }>('POST', '/containers/create', {
    body: { Image: imageId, Cmd: hasCommand ? undefined : ['/berth-export'], Labels: { 'org.berth.build.export': '1' } },
  });
  try {
    const res = await ctx.client.call('GET', `/containers/${created.Id}/export`);
    if (spec.type === 'tar') {
      await writeArchiveOutput(ctx, res.body, spec.dest === '-' ? undefined : spec.dest);
    } else {
      const dest = resolve(spec.dest);
      await mkdir(dest, { recursive: true });
      const view = new ContainerView(openRoot(dest));
      try {
        // The image is as hostile as any archive: paths stay in dest, no device nodes, no chown.
        await extractTarInRoot(view, '/', res.body, { noOverwriteDirNonDir: false, noChown: true, skipDevices: true, spoolDir: tmpdir() });
      } finally {
        view.close();
      }
    }
  } finally {
    await ctx.client.request('DELETE', `/containers/${created.Id}`, { query: { force: '1', v: '1' } }).then((r) => r.body.resume(), () => undefined);
  }
  if (removeImage && !(image.RepoTags ?? []).length) {
    // noprune: the untagged parents are the build's cache.
    await ctx.client.request('DELETE', `/images/${encodeURIComponent(imageId)}`, { query: { noprune: '1' } }).then((r) => r.body.resume(), () => undefined);
  }
}

