// Loads a project the way docker compose v2 (compose-go) does. Owned by the loader part (cmp-load).
// The steps, one file each: discovery.ts (files, directory, name), dotenv.ts (.env), file-model.ts
// (per file: YAML, interpolation, schema, long forms, paths, extends, include), merge.ts (the
// files in order), normalize.ts (model, defaults, checks), profiles.ts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Project } from '../types.ts';
import { ComposeError } from '../errors.ts';
import { checkProjectName, configFiles, normalizeProjectName, workingDir } from './discovery.ts';
import { parseDotEnv } from './dotenv.ts';
import { loadFileModel, type ModelContext } from './file-model.ts';
import { mergeFiles } from './merge.ts';
import { checkConsistency, normalizeProject } from './normalize.ts';
import { applyProfiles, checkEnabledDependencies, withServicesEnabled } from './profiles.ts';
import { substitute } from './template.ts';
import { parseComposeYaml } from './yaml-file.ts';

export interface LoadOptions {
  /** -f values in order ('-' reads stdin); empty: COMPOSE_FILE, else the default names found in cwd or its parents. */
  files: string[];
  /** --project-directory; default: the directory of the first file. */
  projectDirectory?: string;
  /** -p; else COMPOSE_PROJECT_NAME, the top-level `name`, the project directory's base name. */
  projectName?: string;
  /** --profile values; empty: COMPOSE_PROFILES. */
  profiles: string[];
  /** --env-file values; empty: `<project dir>/.env` when it exists. */
  envFiles: string[];
  /** The process environment: COMPOSE_* settings and the variables for interpolation (they win over .env). */
  env: Record<string, string | undefined>;
  /** The current directory. */
  cwd: string;
  /** Read for `-f -`. */
  stdin?: NodeJS.ReadableStream;
  /** Warnings docker compose prints and goes on ("`version` is obsolete"). */
  warn(message: string): void;
  /** false: `config --no-interpolate`. */
  interpolate?: boolean;
  /** false: `config --no-normalize` (keep relative paths, short forms where compose keeps them). */
  normalize?: boolean;
  /** Services named on the command line: enabled with their dependencies even outside the active profiles. */
  services?: string[];
}

async function readStdin(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function readEnvFiles(files: string[], processEnv: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) {
    if (!existsSync(f)) throw new ComposeError(`Couldn't find env file: ${f}`);
    if (statSync(f).isDirectory()) throw new ComposeError(`${f} is a directory`);
    try {
      Object.assign(out, parseDotEnv(readFileSync(f, 'utf8'), (k) => (Object.hasOwn(processEnv, k) ? processEnv[k] : Object.hasOwn(out, k) ? out[k] : undefined)));
    } catch (err) {
      throw new ComposeError(`failed to read ${f}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** Throws ComposeError with docker compose's message (naming file, line and key) on bad input. */
export async function loadProject(opts: LoadOptions): Promise<Project> {
  const warned = new Set<string>();
  const warn = (m: string): void => {
    if (warned.has(m)) return;
    warned.add(m);
    opts.warn(m);
  };
  const processEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) processEnv[k] = v;

  // .env: from --env-file, else <project directory or first file's directory or cwd>/.env.
  // compose-go finds the files first (COMPOSE_FILE from the process, else the default names, here
  // or in a parent directory), so the .env next to the compose file is read from a subdirectory.
  const firstFile = opts.files.find((f) => f !== '-');
  let preDir = opts.cwd;
  if (opts.projectDirectory) preDir = path.resolve(opts.cwd, opts.projectDirectory);
  else if (firstFile) preDir = path.dirname(path.resolve(opts.cwd, firstFile));
  else if (opts.files.length === 0 && !processEnv.COMPOSE_FILE) {
    try {
      preDir = path.dirname(configFiles([], {}, opts.cwd, () => {})[0]!);
    } catch {
      // No default file: COMPOSE_FILE may still come from ./.env.
    }
  }
  let envFiles = opts.envFiles.map((f) => path.resolve(opts.cwd, f));
  if (envFiles.length === 0) {
    const dflt = path.join(preDir, '.env');
    if (existsSync(dflt) && statSync(dflt).isFile()) envFiles = [dflt];
  }
  const environment: Record<string, string> = { ...readEnvFiles(envFiles, processEnv), ...processEnv };

  // Without -f nor COMPOSE_FILE the default names are looked for from --project-directory (compose-go's WithDefaultConfigPath).
  const files = configFiles(opts.files, environment, opts.cwd, warn, opts.projectDirectory ? path.resolve(opts.cwd, opts.projectDirectory) : opts.cwd);
  const wd = workingDir(opts.projectDirectory, files, opts.cwd);
  const profiles = opts.profiles.length ? opts.profiles : (environment.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter(Boolean);

  const contents: string[] = [];
  for (const f of files) {
    if (f === '-') contents.push(await readStdin(opts.stdin));
    else {
      try {
        contents.push(readFileSync(f, 'utf8'));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new ComposeError(e.code === 'EISDIR' ? `read ${f}: is a directory` : `open ${f}: ${e.message}`);
      }
    }
  }
  const lookup = (k: string): string | undefined => (Object.hasOwn(environment, k) ? environment[k] : undefined);
  const onMissing = (name: string): void => warn(`The ${JSON.stringify(name)} variable is not set. Defaulting to a blank string.`);

  let name: string;
  if (opts.projectName) name = checkProjectName(opts.projectName);
  else if (environment.COMPOSE_PROJECT_NAME) name = checkProjectName(environment.COMPOSE_PROJECT_NAME);
  else {
    let fromFile = '';
    files.forEach((f, i) => {
      const n = parseComposeYaml(contents[i]!, f).value.name;
      if (typeof n === 'string') fromFile = n;
    });
    if (fromFile && opts.interpolate !== false) fromFile = substitute(fromFile, lookup, onMissing);
    fromFile = normalizeProjectName(fromFile);
    name = checkProjectName(fromFile || normalizeProjectName(path.basename(wd)));
  }
  environment.COMPOSE_PROJECT_NAME = name;

  const ctx: ModelContext = { lookup, onMissing, warn, interpolate: opts.interpolate !== false, home: processEnv.HOME ?? os.homedir(), stack: [] };
  const models = files.map((f, i) => loadFileModel(f, contents[i]!, wd, ctx));
  const merged = mergeFiles(models);
  let project = normalizeProject(merged, { name, workingDir: wd, composeFiles: files, environment, normalize: opts.normalize !== false });
  // `config --no-interpolate` shows the files as written: references may still hold variables.
  if (opts.interpolate !== false) checkConsistency(project);
  project = applyProfiles(project, profiles);
  if (opts.services?.length) project = withServicesEnabled(project, opts.services);
  checkEnabledDependencies(project);
  if (envFiles.length) project.env_files = envFiles;
  return project;
}
