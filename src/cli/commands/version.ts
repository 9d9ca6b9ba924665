// `berth version`: the client's and the daemon's versions in docker's layout (Client: and
// Server: sections aligned like Go's tabwriter), or through a --format template. The client part
// prints even when the daemon is down; the error follows it (exit 1), as docker.
import type { CommandContext, CommandSpec, Flags } from '../framework/types.ts';
import { StatusError } from '../framework/types.ts';
import { CLIENT_API_VERSION } from '../framework/client.ts';
import { BUILD_TIME, CLI_VERSION, GIT_COMMIT } from '../framework/build-info.ts';
import { INSPECT_FORMAT_HELP } from '../framework/format-help.ts';
import { parseTemplate, type Template } from '../format/index.ts';

interface ServerComponent {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

interface ServerVersion {
  Platform?: { Name?: string };
  Components?: ServerComponent[];
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
  GitCommit?: string;
  GoVersion?: string;
  Os?: string;
  Arch?: string;
  KernelVersion?: string;
  Experimental?: boolean;
  BuildTime?: string;
  [key: string]: unknown;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** Go's time.ANSIC of an RFC 3339 time ('Fri May 30 12:07:14 2025'); other text as is. */
export function ansicDate(rfc3339: string): string {
  const t = Date.parse(rfc3339);
  if (!rfc3339 || Number.isNaN(t)) return rfc3339;
  const d = new Date(t);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * Go's tabwriter as `docker version` sets it up (minwidth 20, padding 1): in each run of lines
 * that have a tab, the text before the tab is padded to the widest such text plus one.
 */
export function alignTabs(text: string, minWidth = 20, padding = 1): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    if (!lines[i].includes('\t')) {
      out.push(lines[i++]);
      continue;
    }
    let j = i;
    while (j < lines.length && lines[j].includes('\t')) j++;
    const block = lines.slice(i, j).map((l) => [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)]);
    const width = Math.max(minWidth, ...block.map(([cell]) => cell.length + padding));
    for (const [cell, rest] of block) out.push(cell.padEnd(width) + rest);
    i = j;
  }
  return out.join('\n');
}

/** A value whose Go field name differs from its JSON key: templates see it, {{json}} does not. */
function withGoName<T extends object>(obj: T, goName: string, value: unknown): T {
  Object.defineProperty(obj, goName, { value, enumerable: false });
  return obj;
}

function clientInfo(apiVersion: string): Record<string, unknown> {
  const client: Record<string, unknown> = {
    Version: CLI_VERSION,
    ApiVersion: apiVersion,
    DefaultAPIVersion: CLIENT_API_VERSION,
    GitCommit: GIT_COMMIT,
    NodeVersion: process.version,
    Os: process.platform,
    Arch: ARCH[process.arch] ?? process.arch,
    BuildTime: ansicDate(BUILD_TIME),
    Context: 'default',
  };
  return withGoName(client, 'APIVersion', apiVersion);
}

function defaultLayout(client: Record<string, unknown>, server: ServerVersion | undefined): string {
  const lines = [
    'Client:',
    ` Version:\t${client.Version}`,
    ` API version:\t${client.ApiVersion}${client.ApiVersion !== client.DefaultAPIVersion ? ` (downgraded from ${client.DefaultAPIVersion})` : ''}`,
    ` Node version:\t${client.NodeVersion}`,
    ` Git commit:\t${client.GitCommit}`,
    ` Built:\t${client.BuildTime}`,
    ` OS/Arch:\t${client.Os}/${client.Arch}`,
    ` Context:\t${client.Context}`,
  ];
  if (server) {
    const name = server.Platform?.Name ?? '';
    lines.push('', `Server:${name ? ` ${name}` : ''}`);
    for (const c of serverComponents(server)) {
      const d = c.Details ?? {};
      lines.push(` ${c.Name}:`);
      if (c.Name === 'Engine') {
        lines.push(
          `  Version:\t${c.Version}`,
          `  API version:\t${d.ApiVersion ?? ''} (minimum version ${d.MinAPIVersion ?? ''})`,
          // berthd names its runtime NodeVersion; any other daemon (dockerd) gets docker's Go line.
          d.NodeVersion !== undefined ? `  Node version:\t${d.NodeVersion}` : `  Go version:\t${d.GoVersion ?? ''}`,
          `  Git commit:\t${d.GitCommit ?? server.GitCommit ?? ''}`,
          `  Built:\t${ansicDate(d.BuildTime ?? server.BuildTime ?? '')}`,
          `  OS/Arch:\t${d.Os ?? ''}/${d.Arch ?? ''}`,
          `  Experimental:\t${d.Experimental ?? String(server.Experimental ?? false)}`,
        );
      } else {
        lines.push(`  Version:\t${c.Version}`);
        for (const key of Object.keys(d).sort()) lines.push(`  ${key}:\t${d[key]}`);
      }
    }
  }
  return alignTabs(lines.join('\n')) + '\n';
}

// Docker adds an Engine component from the top-level fields when the daemon lists none.
function serverComponents(server: ServerVersion): ServerComponent[] {
  const components = server.Components ?? [];
  if (components.some((c) => c.Name === 'Engine')) return components;
  return [...components, {
    Name: 'Engine',
    Version: server.Version ?? '',
    Details: {
      ApiVersion: server.ApiVersion ?? '', MinAPIVersion: server.MinAPIVersion ?? '', GitCommit: server.GitCommit ?? '',
      GoVersion: server.GoVersion ?? '', Os: server.Os ?? '', Arch: server.Arch ?? '', BuildTime: server.BuildTime ?? '',
      Experimental: String(server.Experimental ?? false),
    },
  }];
}

function compile(format: string): Template {
  try {
    return parseTemplate(format);
  } catch (err) {
    // Docker's code for a template that does not parse.
    throw new StatusError(64, `template parsing error: ${(err as Error).message}`);
  }
}

async function run(ctx: CommandContext, flags: Flags): Promise<number> {
  const format = flags.string('format');
  const template = format && format !== 'json' ? compile(format) : undefined;
  let apiVersion = CLIENT_API_VERSION;
  let server: ServerVersion | undefined;
  let failure: unknown;
  try {
    apiVersion = await ctx.client.apiVersion();
    server = await ctx.client.json<ServerVersion>('GET', '/version');
  } catch (err) {
    failure = err;
  }
  const client = clientInfo(apiVersion);
  if (format === 'json') {
    ctx.stdout.write(JSON.stringify({ Client: client, Server: server ?? null }) + '\n');
  } else if (template) {
    const serverData = server ? withGoName({ ...server }, 'APIVersion', server.ApiVersion) : undefined;
    ctx.stdout.write(template.execute({ Client: client, Server: serverData }) + '\n');
  } else {
    ctx.stdout.write(defaultLayout(client, server));
  }
  if (failure) throw failure;
  return 0;
}

export const versionCommand: CommandSpec = {
  name: 'version',
  usage: '[OPTIONS]',
  short: 'Show the berth version information',
  args: { max: 0 },
  flags: [{ name: 'format', short: 'f', type: 'string', usage: INSPECT_FORMAT_HELP }],
  run,
};
