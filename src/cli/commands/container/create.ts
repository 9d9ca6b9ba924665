// `berth container create`, and the create step `run` shares: build the request from the flags,
// --cidfile, pull a missing image, print the daemon's warnings.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import type { CommandContext, CommandSpec, Flags } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { compareVersions } from '../../framework/client.ts';
import { buildCreateRequest, containerFlags, createOnlyFlags, FlagValueError, OptionError, type BuildOptions } from '../../opts/index.ts';
import { displayJsonMessages, JsonMessageError } from '../../progress/index.ts';
import { authKeyForImage, encodeAuthConfig, registryAuthHeader } from '../../credentials/index.ts';

export const CREATE_USAGE = '[OPTIONS] IMAGE [COMMAND] [ARG...]';

/**
 * A bad option as docker reports it for run/create (exit 125): a flag value with the usage
 * line, anything else found while building the request with the program name in front.
 */
export function optionErrorToStatus(err: unknown, ctx: CommandContext, command: string): unknown {
  const path = `${ctx.programName} ${command}`;
  if (err instanceof FlagValueError) {
    return new StatusError(125, `${err.message}\n\nUsage:  ${path} ${CREATE_USAGE}\n\nRun '${path} --help' for more information`);
  }
  if (err instanceof OptionError) return new StatusError(125, `${ctx.programName}: ${err.message}\n\nRun '${path} --help' for more information`);
  return err;
}

/** "busybox" -> "busybox:latest" (docker's FamiliarString(TagNameOnly(ref))). */
function familiarWithTag(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

/** POST /images/create for a run/create whose image is missing; progress goes to stderr. */
async function pullImage(ctx: CommandContext, image: string, platform: string, quiet: boolean): Promise<void> {
  const ref = familiarWithTag(image);
  const at = ref.indexOf('@');
  const colon = ref.lastIndexOf(':');
  const [fromImage, tag] = at >= 0 ? [ref.slice(0, at), ref.slice(at + 1)] : [ref.slice(0, colon), ref.slice(colon + 1)];
  const res = await ctx.client.call('POST', '/images/create', {
    query: { fromImage, tag, platform: platform || undefined },
    // The stored credentials of the image's registry (docker's RetrieveAuthTokenFromImage).
    headers: { 'X-Registry-Auth': await imageAuthHeader(ctx, image) },
  });
  const out = quiet ? devNull() : ctx.stderr;
  try {
    await displayJsonMessages(res.body, out, { isTerminal: Boolean(ctx.stderr.isTTY), width: ctx.stderr.columns });
  } catch (err) {
    if (err instanceof JsonMessageError) throw new DaemonError(500, err.message);
    throw err;
  }
}

async function imageAuthHeader(ctx: CommandContext, image: string): Promise<string> {
  let key: string;
  try {
    key = authKeyForImage(image);
  } catch {
    return encodeAuthConfig({});
  }
  return registryAuthHeader(ctx, key);
}

function devNull(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** --cidfile: refuse an existing file; written once the container exists, removed on failure. */
class CidFile {
  private readonly path: string;
  private written = false;
  constructor(path: string) {
    this.path = path;
    if (path && existsSync(path)) throw new Error(`container ID file found, make sure the other container isn't running or delete ${path}`);
    if (path) {
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '', { flag: 'wx' });
      } catch (err) {
        throw new Error(`failed to create the container ID file: ${(err as Error).message}`);
      }
    }
  }
  write(id: string): void {
    if (!this.path) return;
    writeFileSync(this.path, id);
    this.written = true;
  }
  close(): void {
    if (this.path && !this.written) rmSync(this.path, { force: true });
  }
}

export interface CreatedContainer {
  id: string;
  body: Record<string, any>;
}

/**
 * Builds the request (throws FlagValueError/OptionError), creates the container, pulling the
 * image first when the daemon does not have it, and records the ID in --cidfile.
 */
export async function createContainer(ctx: CommandContext, flags: Flags, args: string[], build: BuildOptions, adjust?: (body: Record<string, any>) => void): Promise<CreatedContainer> {
  const req = buildCreateRequest(flags, args, build);
  adjust?.(req.body);
  const image = args[0];
  const quiet = flags.bool('quiet');
  const pull = flags.string('pull') || 'missing';
  if (!['always', 'missing', 'never'].includes(pull)) throw new OptionError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  // The Go client's version check (client.ContainerCreate): a MAC per endpoint needs API 1.44.
  const endpoints = Object.values((req.body.NetworkingConfig?.EndpointsConfig ?? {}) as Record<string, { MacAddress?: string } | null>);
  if (endpoints.some((ep) => ep?.MacAddress)) {
    const version = await ctx.client.apiVersion();
    if (compareVersions(version, '1.44') < 0) throw new OptionError(`"specify mac-address per network" requires API version 1.44, but the Docker daemon API version is ${version}`);
  }
  const cid = new CidFile(req.body.HostConfig.ContainerIDFile);
  try {
    if (pull === 'always') await pullImage(ctx, image, req.platform, quiet);
    const create = () => ctx.client.json<{ Id: string; Warnings?: string[] | null }>('POST', '/containers/create', {
      query: { name: req.name || undefined, platform: req.platform || undefined }, body: req.body,
    });
    let res: { Id: string; Warnings?: string[] | null };
    try {
      res = await create();
    } catch (err) {
      if (!(err instanceof DaemonError) || err.status !== 404 || pull !== 'missing') throw err;
      if (!quiet) ctx.stderr.write(`Unable to find image '${familiarWithTag(image)}' locally\n`);
      await pullImage(ctx, image, req.platform, quiet);
      res = await create();
    }
    for (const w of res.Warnings ?? []) ctx.stderr.write(`WARNING: ${w}\n`);
    cid.write(res.Id);
    return { id: res.Id, body: req.body };
  } finally {
    cid.close();
  }
}

export const createCommand: CommandSpec = {
  name: 'create',
  usage: CREATE_USAGE,
  short: 'Create a new container',
  flags: [...createOnlyFlags('create'), ...containerFlags],
  args: { min: 1 },
  stopAtFirstArg: true,
  async run(ctx, flags, args) {
    try {
      const { id } = await createContainer(ctx, flags, args, {});
      ctx.stdout.write(`${id}\n`);
    } catch (err) {
      throw optionErrorToStatus(err, ctx, 'create');
    }
  },
};
