// Relative paths of one file's model made absolute against a base directory (the project
// directory for the files given with -f, the file's own directory for `extends` and `include`),
// `~` expanded to the home directory, as compose-go's paths.ResolveRelativePaths does.
import path from 'node:path';
import { Tagged } from './yaml-file.ts';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tagged);

function isRemoteContext(ctx: string): boolean {
  return /^(https?:\/\/|git@|git:\/\/|github\.com\/|ssh:\/\/)/.test(ctx) || /^[a-z][a-z0-9+.-]*:\/\//i.test(ctx);
}

export function absPath(p: string, base: string, home: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(home, p.slice(1));
  return path.resolve(base, p);
}

const each = (v: unknown, fn: (x: unknown) => unknown): unknown => {
  if (v instanceof Tagged) return new Tagged(v.tag, each(v.value, fn));
  return fn(v);
};

/** One service (long form) with its paths resolved. */
export function resolveServicePaths(s: Dict, base: string, home: string): Dict {
  const out: Dict = { ...s };
  if (out.build !== undefined) {
    out.build = each(out.build, (b) => {
      if (!isDict(b)) return b;
      const ctx = typeof b.context === 'string' ? b.context : '.';
      return { ...b, context: isRemoteContext(ctx) ? ctx : absPath(ctx, base, home) };
    });
  }
  if (out.volumes !== undefined) {
    out.volumes = each(out.volumes, (vs) =>
      Array.isArray(vs)
        ? vs.map((v) => (isDict(v) && v.type === 'bind' && typeof v.source === 'string' ? { ...v, source: absPath(v.source, base, home) } : v))
        : vs,
    );
  }
  if (out.env_file !== undefined) {
    out.env_file = each(out.env_file, (fs) =>
      Array.isArray(fs) ? fs.map((f) => (isDict(f) && typeof f.path === 'string' ? { ...f, path: absPath(f.path, base, home) } : f)) : fs,
    );
  }
  if (out.label_file !== undefined) {
    out.label_file = each(out.label_file, (fs) => (Array.isArray(fs) ? fs.map((f) => (typeof f === 'string' ? absPath(f, base, home) : f)) : typeof fs === 'string' ? [absPath(fs, base, home)] : fs));
  }
  if (isDict(out.develop) && Array.isArray(out.develop.watch)) {
    out.develop = { ...out.develop, watch: out.develop.watch.map((w) => (isDict(w) && typeof w.path === 'string' ? { ...w, path: absPath(w.path, base, home) } : w)) };
  }
  return out;
}

/** Top-level secrets/configs `file:` made absolute. */
export function resolveFileObjectPaths(objs: unknown, base: string, home: string): unknown {
  if (!isDict(objs)) return objs;
  const out: Dict = {};
  for (const [k, v] of Object.entries(objs)) out[k] = isDict(v) && typeof v.file === 'string' ? { ...v, file: absPath(v.file, base, home) } : v;
  return out;
}
