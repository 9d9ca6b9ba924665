// The build context the CLI sends with POST /build, as docker CLI's legacy builder makes it
// (cli/command/image/build.go, build/context.go, moby pkg/archive TarWithOptions):
//  - the context directory is resolved (symlinks followed) and must be a directory;
//  - the Dockerfile is `-f` (relative to the current directory), else `Dockerfile`, else
//    `dockerfile` in the context; one outside the context, or from stdin (`-f -`), is added to the
//    tar as `.dockerfile.<random>` and named in .dockerignore so that the daemon drops it;
//  - .dockerignore of the context (or `<Dockerfile>.dockerignore` beside the Dockerfile, which
//    wins) leaves files out, with patternmatcher's rules; the Dockerfile and .dockerignore are
//    always sent (TrimBuildFilesFromExcludes);
//  - entries in filepath.Walk order, uid/gid 0 and no user names (ChownOpts 0:0), mtimes in
//    whole seconds, hard links once, sockets left out.
// The user's own files are read with node:fs: this runs on the client, as the user.
import { randomBytes } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { access, constants, lstat, readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { PatternMatcher, TarWriter, parseDockerignore, type MatchInfo } from '../../../common/index.ts';

export interface PackedContext {
  stream: Readable;
  /** The Dockerfile's name inside the tar, for ?dockerfile=. */
  dockerfile: string;
  /** Bytes sent so far. */
  size(): number;
}

const q = JSON.stringify;

class PrepareError extends Error {}

const errnoText = (err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  // Go's *PathError: "lstat /x: no such file or directory"
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory', EACCES: 'permission denied', ENOTDIR: 'not a directory', ELOOP: 'too many levels of symbolic links',
  };
  return e.code && text[e.code] && e.path ? `lstat ${e.path}: ${text[e.code]}` : e.message;
};

/** filepath.EvalSymlinks, with Go's error text. */
async function evalSymlinks(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch (err) {
    // Go reports the first missing component with lstat.
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') {
      let probe = p;
      for (let parent = resolve(probe, '..'); parent !== probe; probe = parent, parent = resolve(probe, '..')) {
        try {
          await lstat(parent);
          break;
        } catch {
          /* go up */
        }
      }
      throw Object.assign(new Error(`lstat ${probe}: no such file or directory`), { code: 'ENOENT' });
    }
    throw err;
  }
}

async function resolveContextDir(given: string): Promise<string> {
  try {
    await stat(given);
  } catch {
    throw new PrepareError(`path ${q(given)} not found`);
  }
  let abs: string;
  try {
    abs = await evalSymlinks(resolve(given));
  } catch (err) {
    throw new PrepareError(`unable to evaluate symlinks in context path: ${errnoText(err)}`);
  }
  let st: Stats;
  try {
    st = await lstat(abs);
  } catch (err) {
    throw new PrepareError(`unable to stat context directory ${q(abs)}: ${errnoText(err)}`);
  }
  if (!st.isDirectory()) throw new PrepareError(`context must be a directory: ${abs}`);
  return abs;
}

/** getDockerfileRelPath: the Dockerfile's real path and its path relative to the context. */
async function dockerfilePath(absContext: string, given: string | undefined): Promise<{ abs: string; rel: string }> {
  let absDockerfile = given ? resolve(given) : join(absContext, 'Dockerfile');
  if (!given) {
    try {
      await lstat(absDockerfile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        const alt = join(absContext, 'dockerfile');
        try {
          await lstat(alt);
          absDockerfile = alt;
        } catch {
          /* keep Dockerfile: its error follows */
        }
      }
    }
  }
  if (!isAbsolute(absDockerfile)) absDockerfile = join(absContext, absDockerfile);
  try {
    absDockerfile = await evalSymlinks(absDockerfile);
  } catch (err) {
    throw new PrepareError(`unable to evaluate symlinks in Dockerfile path: ${errnoText(err)}`);
  }
  try {
    await lstat(absDockerfile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new PrepareError(`Cannot locate Dockerfile: ${q(absDockerfile)}`);
    throw new PrepareError(`unable to stat Dockerfile: ${errnoText(err)}`);
  }
  return { abs: absDockerfile, rel: relative(absContext, absDockerfile) };
}

async function readIgnore(path: string): Promise<string[] | undefined> {
  try {
    return parseDockerignore(await readFile(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`error reading .dockerignore: ${(err as Error).message}`);
  }
}

interface WalkEntry {
  rel: string;
  abs: string;
  st: Stats;
}

/** TarWithOptions' walk with its exclusion rules; also ValidateContextDirectory's permission checks. */
async function walkContext(root: string, pm: PatternMatcher | undefined): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const visit = async (dirAbs: string, relDir: string, parentInfo: MatchInfo | undefined): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dirAbs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new Error(`error checking context: can't stat '${dirAbs}'`);
      throw err;
    }
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const abs = join(dirAbs, name);
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      let st: Stats;
      try {
        st = await lstat(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EACCES') throw new Error(`error checking context: can't stat '${abs}'`);
        if (code === 'ENOENT') continue; // removed meanwhile
        throw err;
      }
      let info: MatchInfo | undefined;
      let write = true;
      if (pm) {
        const m = pm.matchesWithParent(rel, parentInfo);
        info = m.info;
        if (m.matched) {
          if (!st.isDirectory() || !pm.mayIncludeBelow(rel)) continue;
          write = false; // an exception may bring back something below: walk it, leave the directory itself out
        }
      }
      if (st.isSocket()) continue;
      if (st.isFile()) {
        try {
          await access(abs, constants.R_OK);
        } catch {
          throw new Error(`error checking context: no permission to read from '${abs}'`);
        }
      }
      if (write) out.push({ rel, abs, st });
      if (st.isDirectory()) await visit(abs, rel, info);
    }
  };
  await visit(root, '', undefined);
  return out;
}

/** Packs `contextDir` for POST /build (docker build's legacy path). */
export async function packBuildContext(contextDir: string, opts: { dockerfile?: string; dockerfileContent?: Buffer }): Promise<PackedContext> {
  let absContext: string;
  let relDockerfile: string;
  let extraDockerfile: Buffer | undefined = opts.dockerfileContent;
  let ignorePath: string | undefined;
  try {
    absContext = await resolveContextDir(contextDir);
    if (extraDockerfile !== undefined || opts.dockerfile === '-') {
      relDockerfile = '-';
    } else {
      const df = await dockerfilePath(absContext, opts.dockerfile);
      relDockerfile = df.rel.split(sep).join('/');
      if (relDockerfile === '..' || relDockerfile.startsWith('../')) {
        try {
          extraDockerfile = await readFile(opts.dockerfile ?? df.abs);
        } catch (err) {
          throw new Error(`unable to open Dockerfile: ${(err as Error).message}`);
        }
      }
      try {
        await lstat(`${df.abs}.dockerignore`);
        ignorePath = `${df.abs}.dockerignore`;
      } catch {
        /* none beside the Dockerfile */
      }
    }
  } catch (err) {
    if (err instanceof PrepareError) throw new Error(`unable to prepare context: ${err.message}`);
    throw err;
  }

  let excludes = (await readIgnore(ignorePath ?? join(absContext, '.dockerignore'))) ?? [];
  let pm = excludes.length > 0 ? new PatternMatcher(excludes) : undefined;
  // TrimBuildFilesFromExcludes: the Dockerfile and .dockerignore are always sent.
  if (pm?.matches('.dockerignore')) excludes = [...excludes, '!.dockerignore'];
  if (pm && extraDockerfile === undefined && pm.matches(relDockerfile)) excludes = [...excludes, `!${relDockerfile}`];
  // The Dockerfile's own ignore file too: the daemon applies it again and must find it.
  const relIgnore = ignorePath === undefined ? undefined : relative(absContext, ignorePath).split(sep).join('/');
  if (pm && relIgnore !== undefined && !relIgnore.startsWith('../') && pm.matches(relIgnore)) excludes = [...excludes, `!${relIgnore}`];
  pm = excludes.length > 0 ? new PatternMatcher(excludes) : undefined;

  const entries = await walkContext(absContext, pm);
  const randomName = extraDockerfile !== undefined ? `.dockerfile.${randomBytes(10).toString('hex')}` : undefined;

  const w = new TarWriter({ highWaterMark: 1 << 20 });
  let sent = 0;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      done(null, chunk);
    },
  });
  w.readable.on('error', (err) => out.destroy(err));
  out.on('close', () => {
    if (!w.readable.readableEnded) w.destroy(new Error('build context stream closed'));
  });
  w.readable.pipe(out);

  void (async () => {
    const seen = new Map<string, string>();
    let wroteIgnore = false;
    const now = Math.floor(Date.now() / 1000);
    for (const e of entries) {
      const h = { name: e.rel, mode: e.st.mode & 0o7777, uid: 0, gid: 0, mtime: Math.floor(e.st.mtimeMs / 1000) };
      if (e.st.isDirectory()) await w.addDir(h);
      else if (e.st.isSymbolicLink()) await w.addSymlink(h, await readlink(e.abs));
      else if (e.st.isFile()) {
        const key = `${e.st.dev}:${e.st.ino}`;
        const first = e.st.nlink > 1 ? seen.get(key) : undefined;
        if (first !== undefined) {
          await w.addHardlink(h, first);
          continue;
        }
        if (e.st.nlink > 1) seen.set(key, e.rel);
        if (randomName !== undefined && e.rel === '.dockerignore') {
          const content = Buffer.concat([await readFile(e.abs), Buffer.from(`\n${randomName}\n`)]);
          await w.addFile({ ...h, size: content.length }, content);
          wroteIgnore = true;
          continue;
        }
        await w.addFile({ ...h, size: e.st.size }, createReadStream(e.abs));
      } else if (e.st.isFIFO()) await w.addDevice(h, 'fifo');
      else if (e.st.isCharacterDevice() || e.st.isBlockDevice()) {
        const rdev = e.st.rdev;
        await w.addDevice(h, e.st.isCharacterDevice() ? 'char' : 'block', (rdev >> 8) & 0xfff, (rdev & 0xff) | ((rdev >> 12) & 0xfff00));
      }
    }
    if (randomName !== undefined) {
      // AddDockerfileToBuildContext: the Dockerfile under a random name, and .dockerignore naming it.
      await w.addFile({ name: randomName, mode: 0o600, mtime: now, size: extraDockerfile!.length }, extraDockerfile!);
      if (!wroteIgnore) {
        const content = Buffer.from(`.dockerignore\n${randomName}\n`);
        await w.addFile({ name: '.dockerignore', mode: 0o600, size: content.length }, content);
      }
    }
    await w.finish();
  })().catch((err: unknown) => w.destroy(err as Error));

  return { stream: out, dockerfile: randomName ?? relDockerfile, size: () => sent };
}
