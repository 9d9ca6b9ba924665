// Dockerfile-like `--change` instructions for import (and commit): moby's
// dockerfile.BuildFromConfig with its validCommitCommands. Each instruction edits an
// image config the way the Dockerfile dispatcher would.
import { invalidParameter, parseGoDuration } from '../common/index.ts';
import type { ImageRuntimeConfig, HealthConfig } from './image-config.ts';
import { processWord, splitWords } from './shell-words.ts';

const VALID = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);
const DEFAULT_SHELL = ['/bin/sh', '-c'];

interface Instruction {
  cmd: string;
  rest: string;
  original: string;
}

/** Joins continuation lines and drops comments and blanks, as the Dockerfile parser does. */
function parseLines(changes: readonly string[]): Instruction[] {
  const lines = changes.join('\n').split('\n');
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (pending === '' && /^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, '');
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(full)!;
    out.push({ cmd: m[1].toLowerCase(), rest: m[2], original: full });
  }
  if (pending.trim() !== '') {
    const full = pending.trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(full)!;
    out.push({ cmd: m[1].toLowerCase(), rest: m[2], original: full });
  }
  return out;
}

/** Applies `changes` to a copy of `base` and returns it; bad input → InvalidParameter. */
export function applyChanges(base: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig {
  const instructions = parseLines(changes);
  for (const ins of instructions) {
    if (!VALID.has(ins.cmd)) throw invalidParameter(`${ins.cmd} is not a valid change command`);
  }
  const cfg: ImageRuntimeConfig = structuredClone(base);
  let cmdSet = false;
  for (const ins of instructions) {
    const env = cfg.Env ?? [];
    switch (ins.cmd) {
      case 'cmd':
        cfg.Cmd = commandLine(ins.rest, cfg);
        cmdSet = true;
        break;
      case 'entrypoint': {
        const parsed = commandLine(ins.rest, cfg);
        cfg.Entrypoint = parsed;
        if (!cmdSet) cfg.Cmd = null;
        break;
      }
      case 'env':
        for (const [k, v] of nameValues(ins.rest, 'ENV', env)) cfg.Env = setEnv(cfg.Env ?? [], k, v);
        break;
      case 'label':
        for (const [k, v] of nameValues(ins.rest, 'LABEL', env)) cfg.Labels = { ...(cfg.Labels ?? {}), [k]: v };
        break;
      case 'expose': {
        const ports = splitWords(ins.rest).map((w) => processWord(w, env));
        if (ports.length === 0) throw invalidParameter('EXPOSE requires at least one argument');
        const exposed = { ...(cfg.ExposedPorts ?? {}) };
        for (const p of ports) for (const spec of parsePortSpec(p)) exposed[spec] = {};
        cfg.ExposedPorts = exposed;
        break;
      }
      case 'user': {
        const user = processWord(ins.rest.trim(), env);
        if (user === '') throw invalidParameter('USER requires exactly one argument');
        cfg.User = user;
        break;
      }
      case 'volume': {
        const list = jsonStringArray(ins.rest) ?? splitWords(ins.rest);
        if (list.length === 0) throw invalidParameter('VOLUME requires at least one argument');
        const vols = { ...(cfg.Volumes ?? {}) };
        for (const v of list) {
          const path = processWord(v, env).trim();
          if (path === '') throw invalidParameter('VOLUME specified can not be an empty string');
          vols[path] = {};
        }
        cfg.Volumes = vols;
        break;
      }
      case 'workdir': {
        const dir = processWord(ins.rest.trim(), env);
        if (dir === '') throw invalidParameter('WORKDIR requires exactly one argument');
        cfg.WorkingDir = dir.startsWith('/') ? dir : joinPath('/', cfg.WorkingDir ?? '', dir);
        break;
      }
      case 'stopsignal': {
        const sig = processWord(ins.rest.trim(), env);
        if (sig === '') throw invalidParameter('STOPSIGNAL requires exactly one argument');
        validateSignal(sig);
        cfg.StopSignal = sig;
        break;
      }
      case 'onbuild': {
        const trigger = (/^(\S+)/.exec(ins.rest.trim())?.[1] ?? '').toUpperCase();
        if (trigger === '') throw invalidParameter('ONBUILD requires at least one argument');
        if (trigger === 'ONBUILD') throw invalidParameter('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
        if (trigger === 'MAINTAINER' || trigger === 'FROM') throw invalidParameter(`${trigger} isn't allowed as an ONBUILD trigger`);
        cfg.OnBuild = [...(cfg.OnBuild ?? []), ins.original.replace(/^\s*ONBUILD\s*/i, '')];
        break;
      }
      case 'healthcheck':
        cfg.Healthcheck = healthcheck(ins.rest);
        break;
    }
  }
  return cfg;
}

/** parseMaybeJSON: a JSON string array is the exec form, anything else the shell form. */
function commandLine(rest: string, cfg: ImageRuntimeConfig): string[] {
  const json = jsonStringArray(rest);
  if (json) return json;
  const shell = cfg.Shell && cfg.Shell.length ? cfg.Shell : DEFAULT_SHELL;
  const line = rest.trim();
  return line === '' ? [...shell] : [...shell, line];
}

function jsonStringArray(rest: string): string[] | undefined {
  const t = rest.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // not JSON: the shell form
  }
  return undefined;
}

/** parseNameVal: `k=v k2="v 2"`, or the legacy `k v w` (one pair, value = the rest). */
function nameValues(rest: string, what: string, env: readonly string[]): [string, string][] {
  const words = splitWords(rest);
  if (words.length === 0) throw invalidParameter(`${what} requires at least one argument`);
  if (!words[0].includes('=')) {
    const m = /^(\S+)\s+([\s\S]+)$/.exec(rest.trim());
    if (!m) throw invalidParameter(`${what} must have two arguments`);
    return [[processWord(m[1], env), processWord(m[2], env)]];
  }
  const out: [string, string][] = [];
  const localEnv = [...env];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) throw invalidParameter(`Syntax error - can't find = in ${JSON.stringify(w)}. Must be of the form: name=value`);
    const k = processWord(w.slice(0, eq), localEnv);
    const v = processWord(w.slice(eq + 1), localEnv);
    if (k === '') throw invalidParameter(`${what} names can not be blank`);
    out.push([k, v]);
  }
  return out;
}

function setEnv(env: string[], key: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** go-connections nat.ParsePortSpec for EXPOSE: `80`, `80/udp`, `8000-8010/tcp`. */
function parsePortSpec(spec: string): string[] {
  const slash = spec.lastIndexOf('/');
  const portPart = slash >= 0 ? spec.slice(0, slash) : spec;
  const proto = (slash >= 0 ? spec.slice(slash + 1) : 'tcp').toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw invalidParameter(`invalid proto: ${proto}`);
  const m = /^(\d+)(?:-(\d+))?$/.exec(portPart);
  if (!m) throw invalidParameter(`invalid containerPort: ${portPart}`);
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  if (start > 65535 || end > 65535) throw invalidParameter(`invalid containerPort: ${portPart}`);
  if (end < start) throw invalidParameter(`invalid range specified for container port: ${portPart}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}

const SIGNALS = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR',
  'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH',
  'XCPU', 'XFSZ', 'UNUSED',
]);

/** moby/sys/signal.ParseSignal: a number, a name with or without SIG, or RTMIN(+n)/RTMAX(-n). */
function validateSignal(raw: string): void {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n === 0 || n > 64) throw invalidParameter(`Invalid signal: ${raw}`);
    return;
  }
  const name = raw.toUpperCase().replace(/^SIG/, '');
  if (SIGNALS.has(name)) return;
  const rt = /^RTMIN(?:\+(\d+))?$|^RTMAX(?:-(\d+))?$/.exec(name);
  if (rt && Number(rt[1] ?? rt[2] ?? 0) <= 30) return;
  throw invalidParameter(`Invalid signal: ${raw}`);
}

function healthcheck(rest: string): HealthConfig {
  let text = rest.trim();
  const flags: Record<string, string> = {};
  for (;;) {
    const m = /^--([a-z-]+)=(\S*)\s*/.exec(text);
    if (!m) break;
    if (!['interval', 'timeout', 'start-period', 'start-interval', 'retries'].includes(m[1])) throw invalidParameter(`Unknown flag: ${m[1]}`);
    flags[m[1]] = m[2];
    text = text.slice(m[0].length);
  }
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text);
  if (!m) throw invalidParameter('HEALTHCHECK requires an argument');
  const kind = m[1].toUpperCase();
  if (kind === 'NONE') {
    if (m[2].trim() !== '' || Object.keys(flags).length) throw invalidParameter('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (kind !== 'CMD') throw invalidParameter(`Unknown type "${kind}" in HEALTHCHECK (try CMD)`);
  const json = jsonStringArray(m[2]);
  const hc: HealthConfig = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', m[2].trim()] };
  const dur = (flag: string, field: 'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval', label: string) => {
    const v = flags[flag];
    if (v === undefined || v === '') return;
    const ns = parseGoDuration(v);
    if (ns === undefined) throw invalidParameter(`time: invalid duration ${JSON.stringify(v)}`);
    if (ns !== 0n && ns < 1_000_000n) throw invalidParameter(`${label} "--${flag}" cannot be less than 1ms`);
    hc[field] = Number(ns);
  };
  dur('interval', 'Interval', 'Interval');
  dur('timeout', 'Timeout', 'Timeout');
  dur('start-period', 'StartPeriod', 'StartPeriod');
  dur('start-interval', 'StartInterval', 'StartInterval');
  if (flags.retries !== undefined && flags.retries !== '') {
    if (!/^-?\d+$/.test(flags.retries)) throw invalidParameter(`strconv.ParseInt: parsing ${JSON.stringify(flags.retries)}: invalid syntax`);
    const r = Number(flags.retries);
    if (r < 0) throw invalidParameter('--retries cannot be negative');
    hc.Retries = r;
  }
  return hc;
}

function joinPath(...parts: string[]): string {
  const segs: string[] = [];
  for (const p of parts.join('/').split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') segs.pop();
    else segs.push(p);
  }
  return `/${segs.join('/')}`;
}
