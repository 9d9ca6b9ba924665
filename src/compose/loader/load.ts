// Loads a project the way docker compose v2 (compose-go) does. Owned by the loader part (cmp-load).
import type { Project } from '../types.ts';
import { ComposeError } from '../errors.ts';

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
}

/** Throws ComposeError with docker compose's message (naming file, line and key) on bad input. */
export async function loadProject(opts: LoadOptions): Promise<Project> {
  void opts;
  throw new ComposeError('compose: the project loader is not built yet');
}
