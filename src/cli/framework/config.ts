// The CLI's config directory (--config, then BERTH_CONFIG, then ~/.berth) and its config.json,
// with Docker's keys. A missing file is an empty config; writes are atomic and private (0600)
// because the file holds registry credentials.
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliConfigFile } from './types.ts';

const CONFIG_FILE = 'config.json';

export function defaultConfigDir(env: NodeJS.ProcessEnv): string {
  return env.BERTH_CONFIG || join(env.HOME || homedir(), '.berth');
}

export interface LoadedConfig {
  config: CliConfigFile;
  /** Set when the file exists but cannot be read or parsed (docker warns and goes on). */
  warning?: string;
}

export function loadConfig(dir: string): LoadedConfig {
  const file = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { config: {} };
    return { config: {}, warning: `WARNING: Error loading config file: ${file}: ${(err as Error).message}` };
  }
  if (text.trim() === '') return { config: {} };
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return { config: parsed as CliConfigFile };
  } catch (err) {
    return { config: {}, warning: `WARNING: Error loading config file: ${file}: ${(err as Error).message}` };
  }
}

/** Writes config.json through a temporary file, fsync and rename, mode 0600. */
export async function saveConfig(dir: string, config: CliConfigFile): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, CONFIG_FILE);
  const tmp = join(dir, `.${CONFIG_FILE}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(config, null, '\t') + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
