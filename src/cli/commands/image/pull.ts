// `berth image pull` (pull): docker/cli's image/pull.go. Sends the stored credentials of the
// image's registry, shows the daemon's progress on stdout (nothing with -q) and ends with the
// full reference ("docker.io/library/busybox:latest").
import type { CommandSpec } from '../../framework/types.ts';
import { indexKeyOfName, registryAuthHeader } from '../../credentials/index.ts';
import { registryReference, showRegistryProgress } from './registry-progress.ts';
import { familiarName } from './reference.ts';

export const pullCommand: CommandSpec = {
  name: 'pull',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  short: 'Download an image from a registry',
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool', usage: 'Download all tagged images in the repository' },
    { name: 'disable-content-trust', type: 'bool', usage: 'Skip image verification', default: true },
    { name: 'platform', type: 'string', usage: 'Set platform if server is multi-platform capable' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Suppress verbose output' },
  ],
  args: { min: 1, max: 1 },
  async run(ctx, flags, args) {
    const all = flags.bool('all-tags');
    const quiet = flags.bool('quiet');
    const ref = registryReference(ctx, args[0]!, all, quiet);
    const auth = await registryAuthHeader(ctx, indexKeyOfName(ref.name));
    const res = await ctx.client.call('POST', '/images/create', {
      query: {
        fromImage: familiarName(ref.name),
        tag: all ? undefined : ref.digest ?? ref.tag,
        platform: flags.string('platform') || undefined,
      },
      headers: { 'X-Registry-Auth': auth },
    });
    await showRegistryProgress(ctx, res.body, quiet);
    ctx.stdout.write(`${ref.name}${ref.tag ? ':' + ref.tag : ''}${ref.digest ? '@' + ref.digest : ''}\n`);
    return 0;
  },
};
