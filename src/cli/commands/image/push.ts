// `berth image push` (push): docker/cli's image/push.go. Without a tag it pushes ":latest"
// (every tag with -a); the credentials of the image's registry go in X-Registry-Auth; -q prints
// only the reference once the push is done.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { indexKeyOfName, registryAuthHeader } from '../../credentials/index.ts';
import { platformQuery } from '../shared.ts';
import { registryReference, showRegistryProgress } from './registry-progress.ts';
import { familiarName } from './reference.ts';

export const pushCommand: CommandSpec = {
  name: 'push',
  usage: '[OPTIONS] NAME[:TAG]',
  short: 'Upload an image to a registry',
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool', usage: 'Push all tags of an image to the repository' },
    { name: 'disable-content-trust', type: 'bool', usage: 'Skip image signing', default: true },
    {
      name: 'platform', type: 'string', minApi: '1.46',
      usage: "Push a platform-specific manifest as a single-platform image to the registry.\nImage index won't be pushed, meaning that other manifests, including attestations won't be preserved.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)",
    },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Suppress verbose output' },
  ],
  args: { min: 1, max: 1 },
  async run(ctx, flags, args) {
    const all = flags.bool('all-tags');
    const quiet = flags.bool('quiet');
    const platform = flags.string('platform');
    if (platform) {
      // containerd's platforms.Parse: each component a word of [A-Za-z0-9_.-].
      const bad = platform.split('/').find((c) => !/^[A-Za-z0-9_.-]+$/.test(c));
      if (bad !== undefined || platform.split('/').length > 3) {
        ctx.stderr.write(`Invalid platform ${platform}`);
        throw new StatusError(1, `${JSON.stringify(bad ?? platform)} is an invalid component of ${JSON.stringify(platform)}: platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument`);
      }
      ctx.stdout.write('\n Info -> Using --platform pushes only the specified platform manifest of a multi-platform image index.\n' +
        '         Other components, like attestations, will not be included.\n' +
        '         To push the complete multi-platform image, remove the --platform flag.\n         \n');
    }
    const ref = registryReference(ctx, args[0]!, all, quiet);
    if (ref.digest) throw new StatusError(1, 'cannot push a digest reference');
    const auth = await registryAuthHeader(ctx, indexKeyOfName(ref.name));
    const res = await ctx.client.call('POST', `/images/${encodeURIComponent(familiarName(ref.name)).replace(/%2F/g, '/').replace(/%3A/g, ':')}/push`, {
      query: { tag: ref.tag, platform: platformQuery(platform) },
      headers: { 'X-Registry-Auth': auth },
    });
    await showRegistryProgress(ctx, res.body, quiet);
    if (quiet) ctx.stdout.write(`${ref.name}${ref.tag ? ':' + ref.tag : ''}\n`);
    return 0;
  },
};
