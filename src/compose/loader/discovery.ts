// Which files make the project, where its directory is, which .env it reads and what it is called,
// as compose-go's cli.ProjectOptions decide it: -f, else COMPOSE_FILE (split on
// COMPOSE_PATH_SEPARATOR, ':' by default), else compose.yaml/compose.yml/docker-compose.yml/
// docker-compose.yaml in the current directory or the nearest parent, with its *.override.* file.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ComposeError } from '../errors.ts';

const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const DEFAULT_OVERRIDES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function pick(dir: string, names: string[], warn: (m: string) => void): string | undefined {
  const found = names.map((n) => path.join(dir, n)).filter(isFile);
  if (found.length > 1) {
    warn(`Found multiple config files with supported names: ${found.join(', ')}`);
    warn(`Using ${found[0]}`);
  }
  return found[0];
}

/** The default files found from `dir` upwards (main file, then its override if any). */
function findDefaultFiles(dir: string, warn: (m: string) => void): string[] {
  let d = path.resolve(dir);
  for (;;) {
    const main = pick(d, DEFAULT_FILES, warn);
    if (main) {
      const override = pick(d, DEFAULT_OVERRIDES, warn);
      return override ? [main, override] : [main];
    }
    const parent = path.dirname(d);
    if (parent === d) throw new ComposeError('no configuration file provided: not found', 14);
    d = parent;
  }
}

/**
 * The files to load, absolute ('-' kept), from -f, COMPOSE_FILE or the default names. -f and
 * COMPOSE_FILE paths are relative to cwd; the default names are looked for from `searchFrom`
 * (--project-directory when given, as compose-go's WithDefaultConfigPath uses the working dir).
 */
export function configFiles(files: string[], env: Record<string, string | undefined>, cwd: string, warn: (m: string) => void, searchFrom = cwd): string[] {
  let list = files;
  if (list.length === 0 && env.COMPOSE_FILE) {
    const sep = env.COMPOSE_PATH_SEPARATOR || ':';
    list = env.COMPOSE_FILE.split(sep).filter((f) => f !== '');
  }
  if (list.length === 0) return findDefaultFiles(searchFrom, warn);
  return list.map((f) => {
    if (f === '-') return f;
    const abs = path.resolve(cwd, f);
    if (!existsSync(abs)) throw new ComposeError(`open ${abs}: no such file or directory`, 14);
    return abs;
  });
}

/** --project-directory, else the directory of the first file, else cwd. */
export function workingDir(projectDirectory: string | undefined, files: string[], cwd: string): string {
  if (projectDirectory) return path.resolve(cwd, projectDirectory);
  const first = files.find((f) => f !== '-');
  return first ? path.dirname(first) : cwd;
}

/** compose-go's NormalizeProjectName: lower case, only [a-z0-9_-], no leading '_' or '-'. */
export function normalizeProjectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

export function checkProjectName(name: string): string {
  if (name === '') throw new ComposeError('project name must not be empty');
  if (normalizeProjectName(name) !== name) {
    throw new ComposeError(
      `invalid project name ${JSON.stringify(name)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
    );
  }
  return name;
}
