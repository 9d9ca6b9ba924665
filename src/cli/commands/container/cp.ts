// `berth container cp` (cp): docker/cli cli/command/container/cp.go. The local side follows
// pkg/archive's CopyInfo rules (src/archive/copy-info.ts). Local files are the user's own; the
// archive from a container is hostile and is extracted with the destination directory as its
// root (the same checked extraction as the daemon's: no `..`, no absolute names, no write through
// a link, nothing written when the archive is bad). Nothing from the container runs here.
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { statSync } from 'node:fs';
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { DaemonError } from '../../framework/types.ts';
import {
  type ContainerPathStat, type CopyInfo, copyInfoDestinationPath, copyInfoSourcePath, decodePathStat, extractTarInRoot, getRebaseName,
  goModeIsDir, goModeIsSymlink, GO_MODE, prepareArchiveCopy, preserveTrailingDotOrSeparator, rebaseName, splitCpArg, splitPathDirEntry, tarTree,
} from '../../../archive/index.ts';
import { ContainerView, openRoot } from '../../../fsroot/index.ts';
import { humanSizeWithPrecision } from '../../format/units.ts';

const STAT_HEADER = 'x-docker-container-path-stat';

export interface CpConfig {
  followLink: boolean;
  copyUIDGID: boolean;
  quiet: boolean;
  sourcePath: string;
  destPath: string;
  container: string;
}

const archiveUrl = (container: string) => `/containers/${encodeURIComponent(container)}/archive`;

/** filepath.Abs with the trailing `/` or `/.` kept (resolveLocalPath). */
const localPath = (p: string) => preserveTrailingDotOrSeparator(resolve(p), p);

/** HEAD .../archive: the path's stat, or the daemon's error. */
async function statPath(ctx: CommandContext, container: string, path: string): Promise<ContainerPathStat> {
  const res = await ctx.client.request('HEAD', archiveUrl(container), { query: { path } });
  res.body.resume();
  if (res.status === 404) throw new DaemonError(404, `No such container:path: ${container}:${path}`);
  if (res.status < 200 || res.status >= 300) throw new DaemonError(res.status, `${res.status} ${path}`);
  const stat = decodePathStat(res.headers[STAT_HEADER] as string | undefined);
  if (!stat) throw new Error(`unable to decode container path stat header`);
  return stat;
}

/**
 * Counts the bytes going through (docker's copyProgressPrinter). An error of the source (the
 * daemon cutting a stream short, a local file that cannot be read) comes through, so a cut
 * archive is never taken for a whole one.
 */
function counted(source: AsyncIterable<Uint8Array>): { stream: AsyncIterable<Uint8Array>; total: () => number } {
  let total = 0;
  return {
    stream: (async function* () {
      for await (const chunk of source) {
        total += chunk.length;
        yield chunk;
      }
    })(),
    total: () => total,
  };
}

/** command.ValidateOutputPath. */
function validateOutputPath(path: string): void {
  const dir = resolve(path, '..');
  if (path !== '-' && dir !== '' && dir !== '.') {
    try {
      statSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`invalid output path: directory ${JSON.stringify(dir)} does not exist`);
    }
  }
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (st.isDirectory() || st.isFile()) return;
  if (st.isBlockDevice() || st.isCharacterDevice()) throw new Error(`invalid output path: ${JSON.stringify(path)} must be a directory or a regular file: got a device`);
}

export async function copyFromContainer(ctx: CommandContext, cfg: CpConfig): Promise<void> {
  let dstPath = cfg.destPath;
  let srcPath = cfg.sourcePath;
  if (dstPath !== '-') dstPath = localPath(dstPath);
  validateOutputPath(dstPath);
  // -L: the link's target is copied, under the link's name.
  let rebase = '';
  if (cfg.followLink) {
    const src = await statPath(ctx, cfg.container, srcPath).catch(() => undefined);
    if (src && goModeIsSymlink(src.mode)) {
      let target = src.linkTarget;
      if (!target.startsWith('/')) target = `${splitPathDirEntry(srcPath)[0]}/${target}`;
      [srcPath, rebase] = getRebaseName(srcPath, target);
    }
  }
  const res = await ctx.client.call('GET', archiveUrl(cfg.container), { query: { path: srcPath } });
  if (dstPath === '-') {
    await pipeline(res.body, ctx.stdout, { end: false });
    return;
  }
  const stat = decodePathStat(res.headers[STAT_HEADER] as string | undefined);
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: stat ? goModeIsDir(stat.mode) : false, rebaseName: rebase };
  const count = counted(res.body);
  const body = count.stream;
  const renames: ((n: string) => string)[] = [];
  if (rebase) {
    const srcBase = splitPathDirEntry(srcInfo.path)[1];
    renames.push((n) => rebaseName(n, srcBase, rebase));
  }
  const dstInfo = copyInfoDestinationPath(dstPath);
  const plan = prepareArchiveCopy(srcInfo, dstInfo);
  if (plan.rebase) {
    const { from, to } = plan.rebase;
    renames.push((n) => rebaseName(n, from, to));
  }
  // Absolute names (a copy of `/`) are relative to the destination, as moby's Untar takes them.
  renames.push((n) => n.replace(/^\/+/, ''));
  const view = new ContainerView(openRoot(plan.dstDir));
  try {
    await extractTarInRoot(view, '/', body, {
      noOverwriteDirNonDir: true, noChown: true, skipDevices: true, spoolDir: tmpdir(),
      rename: (n) => renames.reduce((acc, f) => f(acc), n),
    });
  } catch (err) {
    // The archive's refusal, or the daemon cutting the stream short (Go's words for it).
    const message = (err as Error).message;
    throw new Error(message === 'aborted' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? 'unexpected EOF' : message);
  } finally {
    view.close();
    // docker prints the summary whatever the outcome, then the error.
    if (!cfg.quiet) ctx.stderr.write(`Successfully copied ${humanSizeWithPrecision(count.total(), 3)} to ${dstPath}\n`);
  }
}

export async function copyToContainer(ctx: CommandContext, cfg: CpConfig): Promise<void> {
  let srcPath = cfg.sourcePath;
  const dstPath = cfg.destPath;
  if (srcPath !== '-') srcPath = localPath(srcPath);
  // The destination's stat tells where to extract and how to name the top entry.
  const dstInfo: CopyInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  try {
    let dst = await statPath(ctx, cfg.container, dstPath);
    if (goModeIsSymlink(dst.mode)) {
      let target = dst.linkTarget;
      if (!target.startsWith('/')) target = `${splitPathDirEntry(dstPath)[0]}/${target}`;
      dstInfo.path = target;
      dst = await statPath(ctx, cfg.container, target);
    }
    if (Math.floor(dst.mode / GO_MODE.device) % 2 === 1) {
      throw Object.assign(new Error(`destination "${cfg.container}:${dstPath}" must be a directory or a regular file: got a device`), { fatal: true });
    }
    dstInfo.exists = true;
    dstInfo.isDir = goModeIsDir(dst.mode);
  } catch (err) {
    // Any other error: assume the parent exists; the extraction says if it does not.
    if ((err as { fatal?: boolean }).fatal) throw err;
  }
  let content: Readable;
  let resolvedDst: string;
  if (srcPath === '-') {
    if (!dstInfo.isDir) throw new Error(`destination "${cfg.container}:${dstPath}" must be a directory`);
    content = ctx.stdin;
    resolvedDst = dstInfo.path;
  } else {
    const srcInfo = copyInfoSourcePath(srcPath, cfg.followLink);
    const plan = prepareArchiveCopy(srcInfo, dstInfo);
    const [sourceDir, sourceBase] = splitPathDirEntry(srcInfo.path);
    const topName = srcInfo.rebaseName || sourceBase;
    content = tarTree(sourceDir, sourceBase, { name: plan.rebase ? rebaseName(topName, plan.rebase.from, plan.rebase.to) : topName }).stream;
    resolvedDst = plan.dstDir;
  }
  const count = counted(content);
  try {
    await ctx.client.call('PUT', archiveUrl(cfg.container), {
      query: { path: resolvedDst, noOverwriteDirNonDir: 'true', copyUIDGID: cfg.copyUIDGID ? 'true' : undefined },
      body: Readable.from(count.stream, { objectMode: false }),
      headers: { 'Content-Type': 'application/x-tar' },
    });
  } finally {
    // docker prints the summary whatever the outcome, then the error.
    if (!cfg.quiet) ctx.stderr.write(`Successfully copied ${humanSizeWithPrecision(count.total(), 3)} to ${cfg.container}:${dstInfo.path}\n`);
  }
}

export const cpCommand: CommandSpec = {
  name: 'cp',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  short: 'Copy files/folders between a container and the local filesystem',
  long: `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`,
  flags: [
    { name: 'archive', short: 'a', type: 'bool', usage: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', type: 'bool', usage: 'Always follow symbol link in SRC_PATH' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached' },
  ],
  args: { min: 2, max: 2 },
  async run(ctx, flags, args) {
    const [source, destination] = args;
    if (source === '') throw new Error('source can not be empty');
    if (destination === '') throw new Error('destination can not be empty');
    const [srcContainer, sourcePath] = splitCpArg(source);
    const [dstContainer, destPath] = splitCpArg(destination);
    // Without -q, quiet unless stdout is a terminal (docker 28).
    const quiet = flags.changed('quiet') ? flags.bool('quiet') : !ctx.stdout.isTTY;
    const cfg: CpConfig = {
      followLink: flags.bool('follow-link'), copyUIDGID: flags.bool('archive'), quiet, sourcePath, destPath, container: srcContainer || dstContainer,
    };
    if (srcContainer && dstContainer) throw new Error('copying between containers is not supported');
    if (srcContainer) return copyFromContainer(ctx, cfg);
    if (dstContainer) return copyToContainer(ctx, cfg);
    throw new Error('must specify at least one container source');
  },
};
