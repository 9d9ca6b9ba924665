// COPY and ADD (moby dispatchCopy/dispatchAdd + performCopy, with BuildKit's --chmod, --from
// an image, --exclude, --parents, --link, heredoc sources and ADD --checksum). The cache key
// holds the checksum of every file read (the context's, or the source image's ID); the history
// line is moby's `#(nop) COPY file:<hash> in <dest> ` (dir:, multi: likewise).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadUrl } from '../context/download.ts';
import type { CopyRequest } from '../context/types.ts';
import type { CopyInstruction } from '../dockerfile/types.ts';
import type { StepImage } from '../executor.ts';
import { badDockerfile } from './errors.ts';
import { expandWord, stepEnv } from './expand.ts';
import { resolveChown } from './passwd.ts';
import { contextSourceKind, type SourceKind } from './source-kind.ts';
import type { StepContext } from './session.ts';
import { sourceImage } from './source-image.ts';
import { commentConfig, commitStep, probeCache } from './step.ts';
import { ShellLex } from '../dockerfile/shell-lex.ts';

const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const isUrl = (s: string) => /^https?:\/\//i.test(s);
const HASH_RE = /^(file|dir|multi):[0-9a-f]{64}$/;

/** moby getSourceHashFromInfos: one source's hash as is, several hashed into `multi:`. */
function combine(hashes: string[]): string {
  if (hashes.length === 1) return hashes[0];
  return `multi:${sha256(hashes.join(','))}`;
}

/** The context checksum in moby's `file:`/`dir:`/`multi:` form (bld-context may already give it). */
function contextHash(sum: string, kind: SourceKind): string {
  if (HASH_RE.test(sum)) return sum;
  return `${kind}:${sum.replace(/^sha256:/, '')}`;
}

/**
 * An ADD URL's part of the key: its content, as moby's classic builder downloads the URL before
 * probing the cache (a changed file behind the URL busts the step). With --checksum the digest
 * is the content's. The file is downloaded again by the copy itself.
 */
async function urlHash(ctx: StepContext, url: string, checksum: string | undefined): Promise<string> {
  if (checksum) return `file:${sha256(`${url}\n${checksum}`)}`;
  const dir = join(ctx.session.tmpDir, `url-${randomBytes(8).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  try {
    const got = await downloadUrl(url, join(dir, 'download'), { signal: ctx.session.signal, cmd: 'ADD' });
    return `file:${sha256(`${got.digest}\n${got.filename}\n${got.mtime}`)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseChmod(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[0-7]+$/.test(raw) || parseInt(raw, 8) > 0o7777) {
    throw badDockerfile(`invalid chmod parameter: ${raw}. it should be octal string and between 0 and 07777`);
  }
  return parseInt(raw, 8);
}

export async function dispatchCopy(ctx: StepContext, inst: CopyInstruction): Promise<void> {
  const { state, session } = ctx;
  const env = stepEnv(state);
  const sources = inst.sources.map((s) => expandWord(ctx, s, env));
  const dest = expandWord(ctx, inst.dest, env);
  const chown = inst.chown === undefined ? undefined : expandWord(ctx, inst.chown, env);
  const chmod = parseChmod(inst.chmod === undefined ? undefined : expandWord(ctx, inst.chmod, env));
  const exclude = inst.exclude.map((e) => expandWord(ctx, e, env));
  if (sources.length + inst.heredocs.length === 0) throw badDockerfile(`${inst.kind} requires at least two arguments, but only one was provided. Destination could not be determined.`);
  if (inst.kind === 'COPY' && sources.some(isUrl)) throw badDockerfile('source can\'t be a URL for COPY');
  let from: StepImage | undefined;
  if (inst.from !== undefined && inst.from !== '') from = await sourceImage(ctx, inst.from);

  // Heredoc bodies expand like BuildKit's ExpandRaw: quotes kept, `\` escapes.
  const raw = new ShellLex('\\', { rawQuotes: true });
  const inline = inst.heredocs.map((h) => ({ name: h.name, content: h.expand ? raw.processWord(h.content, env).word : h.content }));

  const hashes = inline.map((f) => `file:${sha256(f.content)}`);
  const urls = sources.filter(isUrl);
  const local = sources.filter((s) => !isUrl(s));
  for (const u of urls) hashes.push(await urlHash(ctx, u, inst.checksum));
  if (local.length > 0) {
    if (from) hashes.push(`${local.length === 1 ? 'file' : 'multi'}:${sha256(`${from.id}\n${local.join('\n')}\n${exclude.join('\n')}`)}`);
    else {
      const sum = await session.context.checksum(local, exclude);
      hashes.push(contextHash(sum, contextSourceKind(session.context.dir, local, inst.kind)));
    }
  }
  const srcHash = combine(hashes);
  const chownComment = chown ? `--chown=${chown}` : '';
  const probeConfig = commentConfig(state.runConfig, `${inst.kind} ${chownComment}${srcHash} in ${dest} `);
  const extra: Record<string, unknown> = {};
  if (chmod !== undefined) extra.chmod = chmod;
  if (exclude.length > 0) extra.exclude = exclude;
  if (inst.parents) extra.parents = true;
  if (inst.link) extra.link = true;
  if (inst.checksum) extra.checksum = inst.checksum;
  if (inst.kind === 'ADD' && inst.unpack === false) extra.unpack = false;
  const { hit, probe } = await probeCache(ctx, probeConfig, extra);
  if (hit) return;

  const copy: CopyRequest = {
    sources,
    inline,
    dest,
    workdir: state.runConfig.WorkingDir ?? '',
    chown: chown ? await resolveChown(ctx, chown) : undefined,
    chmod,
    exclude,
    parents: inst.parents,
    unpack: inst.kind === 'ADD' && inst.unpack !== false,
    command: inst.kind,
    checksum: inst.checksum,
  };
  const layer = await session.executor.copy({
    parent: state.image,
    from: from ? { kind: 'image', image: from } : { kind: 'context' },
    copy,
    workdir: copy.workdir,
    signal: session.signal,
  });
  await commitStep(ctx, probe, { layer });
}
