// `berth image tag SOURCE TARGET`: checks both references as docker's client does, then tags.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { parseNormalizedNamed } from './reference.ts';

export const tagCommand: CommandSpec = {
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  args: { min: 2, max: 2 },
  async run(ctx, _flags, args) {
    const [source, target] = args;
    if (!/^(sha256:)?[a-f0-9]{64}$/.test(source)) {
      try {
        parseNormalizedNamed(source);
      } catch (err) {
        throw new StatusError(1, `Error parsing reference: ${JSON.stringify(source)} is not a valid repository/tag: ${(err as Error).message}`);
      }
    }
    let ref;
    try {
      ref = parseNormalizedNamed(target);
    } catch (err) {
      throw new StatusError(1, `Error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${(err as Error).message}`);
    }
    if (ref.digest) throw new StatusError(1, 'refusing to create a tag with a digest reference');
    await ctx.client.call('POST', `/images/${encodeURIComponent(source)}/tag`, { query: { repo: ref.name, tag: ref.tag ?? 'latest' } });
  },
};
