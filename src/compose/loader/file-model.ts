// One compose file turned into its part of the model: parsed, `version` dropped with compose's
// warning, interpolated, validated against the schema, short syntaxes expanded, paths resolved,
// `extends` and `include` applied. The files given with -f are then merged (merge.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ComposeError } from '../errors.ts';
import { canonicalResource, canonicalService } from './canonical.ts';
import { parseDotEnv } from './dotenv.ts';
import { interpolateConfig } from './interpolate.ts';
import { mergeFiles, mergeValues, unwrap } from './merge.ts';
import { absPath, resolveFileObjectPaths, resolveServicePaths } from './paths.ts';
import { validateSchema } from './schema.ts';
import type { Lookup } from './template.ts';
import { parseComposeYaml, Tagged } from './yaml-file.ts';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tagged);

export interface ModelContext {
  /** Variables for interpolation (the process environment over .env). */
  lookup: Lookup;
  onMissing(name: string): void;
  warn(message: string): void;
  interpolate: boolean;
  home: string;
  /** Files being extended/included, to detect cycles. */
  stack: string[];
}

/** Loads `filename` (its `content`), relative paths resolving against `baseDir`. */
export function loadFileModel(filename: string, content: string, baseDir: string, ctx: ModelContext): Dict {
  const { value, lines } = parseComposeYaml(content, filename);
  let raw: Dict = value;
  if (Object.keys(raw).length === 0) throw new ComposeError('empty compose file');
  if (Object.hasOwn(raw, 'version')) {
    ctx.warn(`${filename}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
    raw = { ...raw };
    delete raw.version;
  }
  if (ctx.interpolate) raw = interpolateConfig(raw, { lookup: ctx.lookup, onMissing: ctx.onMissing, warn: ctx.warn });
  validateSchema(unwrap(raw) as Dict, filename, lines);
  const model: Dict = {};
  for (const [key, v] of Object.entries(raw)) {
    if (key === 'services') {
      const services: Dict = {};
      for (const [name, s] of Object.entries(isDict(v) ? v : {})) {
        services[name] = s instanceof Tagged ? s : resolveServicePaths(canonicalService(isDict(s) ? s : {}, name), baseDir, ctx.home);
      }
      model.services = services;
    } else if (key === 'networks' || key === 'volumes' || key === 'secrets' || key === 'configs') {
      const res: Dict = {};
      for (const [name, r] of Object.entries(isDict(v) ? v : {})) res[name] = r instanceof Tagged ? r : canonicalResource(r);
      model[key] = key === 'secrets' || key === 'configs' ? resolveFileObjectPaths(res, baseDir, ctx.home) : res;
    } else if (key !== 'include') model[key] = v;
  }
  if (isDict(model.services)) {
    const services = model.services;
    const resolved: Dict = {};
    for (const name of Object.keys(services)) resolved[name] = resolveExtends(name, services, filename, baseDir, ctx, []);
    model.services = resolved;
  }
  if (Array.isArray(raw.include)) applyIncludes(model, raw.include, filename, baseDir, ctx);
  return model;
}

function readComposeFile(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new ComposeError(`open ${p}: no such file or directory`);
    throw new ComposeError(`open ${p}: ${e.message}`);
  }
}

function resolveExtends(name: string, services: Dict, filename: string, baseDir: string, ctx: ModelContext, chain: string[]): unknown {
  const svc = services[name];
  if (!isDict(svc) || svc.extends === undefined) return svc;
  const ext = unwrap(svc.extends) as Dict;
  const ref = `${filename}\u0000${name}`;
  const seen = [...ctx.stack.filter((r) => r.includes('\u0000')), ...chain];
  if (seen.includes(ref)) {
    // compose-go's cycleTracker wording.
    const [first, ...rest] = [...seen, ref].map((r) => r.split('\u0000'));
    throw new ComposeError(['Circular reference:', `  ${first![1]} in ${first![0]}`, ...rest.map(([f, svc]) => `  extends ${svc} in ${f}`)].join('\n'));
  }
  const target = String(ext.service ?? '');
  let base: unknown;
  if (typeof ext.file === 'string') {
    const file = absPath(ext.file, baseDir, ctx.home);
    const other = loadFileModel(file, readComposeFile(file), path.dirname(file), { ...ctx, stack: [...ctx.stack, ...chain, ref] });
    const otherServices = isDict(other.services) ? other.services : {};
    if (!Object.hasOwn(otherServices, target)) throw new ComposeError(`cannot extend service "${name}" in ${file}: service not found`);
    base = otherServices[target];
  } else {
    if (!Object.hasOwn(services, target)) throw new ComposeError(`cannot extend service "${name}" in ${filename}: service not found`);
    base = resolveExtends(target, services, filename, baseDir, ctx, [...chain, ref]);
  }
  const local: Dict = { ...svc };
  delete local.extends;
  return mergeValues(unwrap(base), local, ['services', name]);
}

function applyIncludes(model: Dict, entries: unknown[], filename: string, baseDir: string, ctx: ModelContext): void {
  for (const entry of entries) {
    const cfg: Dict = typeof entry === 'string' ? { path: [entry] } : isDict(entry) ? entry : {};
    const paths = (Array.isArray(cfg.path) ? cfg.path : [cfg.path]).filter((p): p is string => typeof p === 'string').map((p) => absPath(p, baseDir, ctx.home));
    if (paths.length === 0) continue;
    for (const p of paths) {
      if (ctx.stack.includes(p) || p === filename) throw new ComposeError(`include cycle detected:\n${[...ctx.stack, filename, p].join('\n include ')}`);
    }
    const projectDir = typeof cfg.project_directory === 'string' ? absPath(cfg.project_directory, baseDir, ctx.home) : path.dirname(paths[0]!);
    const envFiles = (Array.isArray(cfg.env_file) ? cfg.env_file : cfg.env_file === undefined ? [] : [cfg.env_file])
      .map((f) => absPath(String(f), baseDir, ctx.home));
    if (envFiles.length === 0 && existsSync(path.join(projectDir, '.env'))) envFiles.push(path.join(projectDir, '.env'));
    const includeEnv: Record<string, string> = {};
    for (const f of envFiles) {
      if (!existsSync(f)) throw new ComposeError(`Couldn't find env file: ${f}`);
      Object.assign(includeEnv, parseDotEnv(readFileSync(f, 'utf8'), (k) => ctx.lookup(k) ?? includeEnv[k]));
    }
    const sub: ModelContext = { ...ctx, lookup: (k) => ctx.lookup(k) ?? includeEnv[k], stack: [...ctx.stack, filename] };
    const included = mergeFiles(paths.map((p) => loadFileModel(p, readComposeFile(p), projectDir, sub)));
    for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
      const from = included[section];
      if (!isDict(from)) continue;
      const into: Dict = isDict(model[section]) ? { ...(model[section] as Dict) } : {};
      for (const [k, v] of Object.entries(from)) {
        if (Object.hasOwn(into, k) && JSON.stringify(unwrap(into[k])) !== JSON.stringify(v)) {
          // compose-go prints the include's paths as a Go slice.
          throw new ComposeError(`imported compose file [${paths.join(' ')}] defines conflicting ${section.slice(0, -1)} ${k}`);
        }
        into[k] = v;
      }
      model[section] = into;
    }
  }
}
