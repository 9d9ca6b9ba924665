// `berth compose version`: which docker compose release berth compose follows, and berth's own.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { CLI_VERSION } from '../../framework/build-info.ts';
import { COMPOSE_VERSION } from '../../../compose/index.ts';

export const versionCommand: CommandSpec = {
  name: 'version',
  usage: '[OPTIONS]',
  short: 'Show the Docker Compose version information',
  flags: [
    { name: 'format', short: 'f', type: 'string', usage: 'Format the output. Values: [pretty | json]. (Default: pretty)' },
    { name: 'short', type: 'bool', usage: 'Shows only Compose\'s version number' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    if (flags.bool('short')) {
      ctx.stdout.write(`${COMPOSE_VERSION}\n`);
      return 0;
    }
    const format = flags.string('format');
    if (format === 'json') {
      ctx.stdout.write(JSON.stringify({ version: `v${COMPOSE_VERSION}` }) + '\n');
      return 0;
    }
    if (format !== '' && format !== 'pretty') throw new StatusError(1, `format value ${JSON.stringify(format)} could not be parsed: parsing failed`);
    // docker compose's wording ("Docker Compose version v2.29.7"), naming berth's build.
    ctx.stdout.write(`Docker Compose version v${COMPOSE_VERSION} (berth compose ${CLI_VERSION})\n`);
    return 0;
  },
};
