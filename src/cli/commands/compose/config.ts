// `berth compose config`: the project as docker compose v2 resolves it (canonical YAML or JSON),
// or one of its lists (--services, --volumes, --profiles, --images, --hash, --environment).
import { writeFile } from 'node:fs/promises';
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { allProfiles, imageNames, serializeProject, serviceHashes, serviceNames, volumeNames, withServicesEnabled, type Project } from '../../../compose/index.ts';
import { loadComposeProject } from './project-options.ts';
import { extractVariables, variablesJson, variablesYaml } from './variables.ts';
import { composeRun } from './shared.ts';

/** --resolve-image-digests: each image pinned to its digest (the registry's, else a local RepoDigest). */
async function resolveDigests(ctx: CommandContext, project: Project): Promise<void> {
  for (const s of Object.values(project.services)) {
    if (!s.image || s.image.includes('@')) continue;
    const name = s.image;
    let digest: string | undefined;
    const dist = await ctx.client.request('GET', `/distribution/${encodeURIComponent(name)}/json`);
    if (dist.status === 200) digest = (await dist.json<{ Descriptor?: { digest?: string } }>()).Descriptor?.digest;
    else dist.body.resume();
    if (!digest) {
      const img = await ctx.client.request('GET', `/images/${encodeURIComponent(name)}/json`);
      if (img.status === 200) {
        const repoDigest = (await img.json<{ RepoDigests?: string[] }>()).RepoDigests?.[0];
        digest = repoDigest?.slice(repoDigest.indexOf('@') + 1);
      } else img.body.resume();
    }
    if (digest) s.image = `${name}@${digest}`;
  }
}

async function output(ctx: CommandContext, file: string, text: string): Promise<void> {
  if (file) await writeFile(file, text, { mode: 0o644 });
  else ctx.stdout.write(text);
}

export const configCommand: CommandSpec = {
  name: 'config',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Parse, resolve and render compose file in canonical format',
  flags: [
    { name: 'environment', type: 'bool', usage: 'Print environment used for interpolation.' },
    { name: 'format', type: 'string', usage: 'Format the output. Values: [yaml | json]', default: 'yaml' },
    { name: 'hash', type: 'string', usage: 'Print the service config hash, one per line.' },
    { name: 'images', type: 'bool', usage: 'Print the image names, one per line.' },
    { name: 'no-consistency', type: 'bool', usage: "Don't check model consistency - warning: may produce invalid Compose output" },
    { name: 'no-interpolate', type: 'bool', usage: "Don't interpolate environment variables" },
    { name: 'no-normalize', type: 'bool', usage: "Don't normalize compose model" },
    { name: 'no-path-resolution', type: 'bool', usage: "Don't resolve file paths" },
    { name: 'output', short: 'o', type: 'string', usage: 'Save to file (default to stdout)' },
    { name: 'profiles', type: 'bool', usage: 'Print the profile names, one per line.' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only validate the configuration, don\'t print anything' },
    { name: 'resolve-image-digests', type: 'bool', usage: 'Pin image tags to digests' },
    { name: 'services', type: 'bool', usage: 'Print the service names, one per line.' },
    { name: 'variables', type: 'bool', usage: 'Print model variables and default values.' },
    { name: 'volumes', type: 'bool', usage: 'Print the volume names, one per line.' },
  ],
  run: composeRun(async (ctx, flags, args) => {
    const format = flags.string('format');
    if (format !== 'yaml' && format !== 'json') throw new StatusError(1, `unsupported format ${JSON.stringify(format)}`);
    const variables = flags.bool('variables');
    let project = await loadComposeProject(ctx, {
      interpolate: !flags.bool('no-interpolate') && !variables,
      normalize: !flags.bool('no-normalize'),
    });
    if (args.length) project = withServicesEnabled(project, args);
    if (args.length) {
      // Only these services (and what they depend on, as compose keeps them).
      const keep = new Set<string>();
      const add = (n: string): void => {
        if (keep.has(n) || !project.services[n]) return;
        keep.add(n);
        for (const d of Object.keys(project.services[n]!.depends_on ?? {})) add(d);
      };
      args.forEach(add);
      project.services = Object.fromEntries(Object.entries(project.services).filter(([n]) => keep.has(n)));
    }
    const out = flags.string('output');
    const lines = (xs: string[]) => output(ctx, out, xs.map((x) => x + '\n').join(''));
    if (variables) {
      const found = extractVariables(JSON.parse(serializeProject(project, 'json', { noInterpolate: true })));
      return output(ctx, out, format === 'json' ? variablesJson(found) : variablesYaml(found));
    }
    if (flags.bool('services')) return lines(serviceNames(project));
    if (flags.bool('volumes')) return lines(volumeNames(project));
    if (flags.bool('profiles')) return lines(allProfiles(project));
    if (flags.bool('images')) return lines(imageNames(project));
    if (flags.changed('hash')) return lines(serviceHashes(project, flags.string('hash').split(',').map((x) => x.trim()).filter(Boolean)));
    if (flags.bool('environment')) return lines(Object.entries(project.environment ?? {}).map(([k, v]) => `${k}=${v}`).sort());
    if (flags.bool('resolve-image-digests')) await resolveDigests(ctx, project);
    const text = serializeProject(project, format, { noInterpolate: flags.bool('no-interpolate') });
    if (flags.bool('quiet')) return 0;
    await output(ctx, out, text.endsWith('\n') ? text : text + '\n');
    return 0;
  }),
};
