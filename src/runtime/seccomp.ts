// Docker's seccomp profile format -> the OCI runtime spec's linux.seccomp, as moby's
// profiles/seccomp/seccomp_linux.go does it: keep the rules whose includes/excludes match the
// native architecture, the container's capability (bounding) set and the running kernel.
// Profiles are untrusted input (a custom one arrives in the API body): every field is checked,
// and 64-bit argument values survive JSON without losing precision.
import { readFile, stat } from 'node:fs/promises';
import { release, endianness } from 'node:os';
import { invalidParameter, rawJson, systemError, type RawJson } from '../common/index.ts';

/** uint64 values above 2^53 are written verbatim (RawJson). */
export type SeccompValue = number | RawJson;

export interface SeccompArg {
  index: number;
  value: bigint;
  valueTwo?: bigint;
  op: string;
}

export interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface SeccompSyscallRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

/** A parsed and checked profile in Docker's format (`name` already folded into `names`). */
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] }[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls: SeccompSyscallRule[];
}

export interface LinuxSeccompArg {
  index: number;
  value: SeccompValue;
  valueTwo?: SeccompValue;
  op: string;
}

export interface LinuxSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

/** The OCI runtime spec's linux.seccomp object. */
export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: LinuxSyscall[];
}

export interface SeccompOptions {
  /** The container's capability bounding set (CAP_ names): includes/excludes.caps test it. */
  capabilities: readonly string[];
  /** libseccomp-style native arch name ("amd64", "arm64", ...); default: this host. */
  arch?: string;
  /** Kernel release for minKernel ("6.1.0-18-amd64"); default: this host's. */
  kernelVersion?: string;
}

/** Bound on a profile's JSON text: Docker's default is 20 KiB, custom ones are similar. */
const MAX_PROFILE_BYTES = 4 * 1024 * 1024;
const MAX_RULES = 10_000;
const MAX_NAMES = 10_000;
const UINT64_MAX = 2n ** 64n - 1n;

const ACTIONS = new Set([
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
]);
const OPERATORS = new Set([
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
]);

/** libseccomp native arch name -> SCMP_ARCH_ (moby's nativeToSeccomp). */
const NATIVE_TO_SECCOMP: Record<string, string> = {
  x86: 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mips3l64n32: 'SCMP_ARCH_MIPSEL64N32',
  mipsle: 'SCMP_ARCH_MIPSEL',
  ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};

/** Node's process.arch -> the native arch names profiles use in includes/excludes.arches. */
export function nativeArch(nodeArch: string = process.arch): string {
  switch (nodeArch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return 'x86';
    case 'ppc64':
      return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
    case 'mips64el':
      return 'mipsel64';
    case 'mipsel':
      return 'mipsle';
    default:
      return nodeArch;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing and checking

const fail = (msg: string) => invalidParameter(`Decoding seccomp profile failed: ${msg}`);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function optString(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fail(`${where}.${key} must be a string`);
  return v;
}

function optStringList(o: Obj, key: string, where: string, pattern?: RegExp): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > MAX_NAMES) throw fail(`${where}.${key} must be a list of strings`);
  for (const s of v) {
    if (typeof s !== 'string') throw fail(`${where}.${key} must be a list of strings`);
    if (pattern && !pattern.test(s)) throw fail(`${where}.${key}: invalid value ${JSON.stringify(s)}`);
  }
  return v as string[];
}

function optUint(o: Obj, key: string, where: string, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw fail(`${where}.${key} must be an integer from 0 to ${max}`);
  }
  return v;
}

function uint64(v: unknown, where: string): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else throw fail(`${where} must be an unsigned 64-bit integer`);
  if (n < 0n || n > UINT64_MAX) throw fail(`${where} must be an unsigned 64-bit integer`);
  return n;
}

function parseFilter(v: unknown, where: string): SeccompFilter | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw fail(`${where} must be an object`);
  const f: SeccompFilter = {};
  const caps = optStringList(v, 'caps', where);
  const arches = optStringList(v, 'arches', where);
  const minKernel = optString(v, 'minKernel', where);
  if (caps) f.caps = caps;
  if (arches) f.arches = arches;
  if (minKernel !== undefined && minKernel !== '') {
    if (!parseKernelVersion(minKernel)) throw fail(`${where}.minKernel: invalid kernel version ${JSON.stringify(minKernel)}`);
    f.minKernel = minKernel;
  }
  return f;
}

function parseArg(v: unknown, where: string): SeccompArg {
  if (!isObj(v)) throw fail(`${where} must be an object`);
  const index = optUint(v, 'index', where, 5);
  if (index === undefined) throw fail(`${where}.index is required`);
  const op = optString(v, 'op', where);
  if (op === undefined || !OPERATORS.has(op)) throw fail(`${where}.op: unknown operator ${JSON.stringify(op)}`);
  const arg: SeccompArg = { index, value: uint64(v.value ?? 0, `${where}.value`), op };
  if (v.valueTwo !== undefined && v.valueTwo !== null) arg.valueTwo = uint64(v.valueTwo, `${where}.valueTwo`);
  return arg;
}

function checkAction(action: string | undefined, where: string): string {
  if (action === undefined || !ACTIONS.has(action)) throw fail(`${where}: unknown action ${JSON.stringify(action)}`);
  return action;
}

function parseRule(v: unknown, i: number): SeccompSyscallRule {
  const where = `syscalls[${i}]`;
  if (!isObj(v)) throw fail(`${where} must be an object`);
  const name = optString(v, 'name', where);
  const names = optStringList(v, 'names', where, /^[a-z0-9_]{1,64}$/);
  if (name !== undefined && name !== '' && names && names.length > 0) {
    throw invalidParameter(
      "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'",
    );
  }
  if (name !== undefined && name !== '' && !/^[a-z0-9_]{1,64}$/.test(name)) {
    throw fail(`${where}.name: invalid syscall name ${JSON.stringify(name)}`);
  }
  const rule: SeccompSyscallRule = {
    names: name ? [name] : (names ?? []),
    action: checkAction(optString(v, 'action', where), where),
  };
  const errnoRet = optUint(v, 'errnoRet', where, 4095);
  if (errnoRet !== undefined) rule.errnoRet = errnoRet;
  if (v.args !== undefined && v.args !== null) {
    if (!Array.isArray(v.args) || v.args.length > 6) throw fail(`${where}.args must be a list of at most 6 arguments`);
    rule.args = v.args.map((a, j) => parseArg(a, `${where}.args[${j}]`));
  }
  const includes = parseFilter(v.includes, `${where}.includes`);
  const excludes = parseFilter(v.excludes, `${where}.excludes`);
  if (includes) rule.includes = includes;
  if (excludes) rule.excludes = excludes;
  return rule;
}

/** Checks a profile already decoded from JSON (integers above 2^53 as bigint). */
export function checkSeccompProfile(doc: unknown): SeccompProfile {
  if (!isObj(doc)) throw fail('profile must be a JSON object');
  const defaultAction = optString(doc, 'defaultAction', 'profile') ?? '';
  const profile: SeccompProfile = { defaultAction, syscalls: [] };
  if (defaultAction !== '') checkAction(defaultAction, 'defaultAction');
  const defaultErrnoRet = optUint(doc, 'defaultErrnoRet', 'profile', 4095);
  if (defaultErrnoRet !== undefined) profile.defaultErrnoRet = defaultErrnoRet;
  const architectures = optStringList(doc, 'architectures', 'profile', /^SCMP_ARCH_[A-Z0-9_]+$/);
  if (architectures) profile.architectures = architectures;
  if (doc.archMap !== undefined && doc.archMap !== null) {
    if (!Array.isArray(doc.archMap) || doc.archMap.length > 64) throw fail('archMap must be a list');
    profile.archMap = doc.archMap.map((a, i) => {
      if (!isObj(a)) throw fail(`archMap[${i}] must be an object`);
      const architecture = optString(a, 'architecture', `archMap[${i}]`);
      if (!architecture || !/^SCMP_ARCH_[A-Z0-9_]+$/.test(architecture)) {
        throw fail(`archMap[${i}].architecture: invalid architecture ${JSON.stringify(architecture)}`);
      }
      const sub = optStringList(a, 'subArchitectures', `archMap[${i}]`, /^SCMP_ARCH_[A-Z0-9_]+$/) ?? [];
      return { architecture, subArchitectures: sub };
    });
  }
  const flags = optStringList(doc, 'flags', 'profile', /^SECCOMP_FILTER_FLAG_[A-Z_]+$/);
  if (flags) profile.flags = flags;
  const listenerPath = optString(doc, 'listenerPath', 'profile');
  if (listenerPath) profile.listenerPath = listenerPath;
  const listenerMetadata = optString(doc, 'listenerMetadata', 'profile');
  if (listenerMetadata) profile.listenerMetadata = listenerMetadata;
  if (doc.syscalls !== undefined && doc.syscalls !== null) {
    if (!Array.isArray(doc.syscalls) || doc.syscalls.length > MAX_RULES) throw fail('syscalls must be a list');
    profile.syscalls = doc.syscalls.map(parseRule);
  }
  if (defaultAction === '' && profile.syscalls.length > 0) throw fail('defaultAction is required');
  return profile;
}

/** JSON.parse, but integer literals beyond 2^53 become exact bigints instead of rounded numbers. */
function parseJsonExact(text: string): unknown {
  const reviver = function (this: unknown, _key: string, value: unknown, ctx?: { source?: string }) {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && ctx?.source && /^-?\d+$/.test(ctx.source)) {
      return BigInt(ctx.source);
    }
    return value;
  };
  return JSON.parse(text, reviver as (this: unknown, key: string, value: unknown) => unknown);
}

/** Parses a profile in Docker's JSON format (a custom `seccomp=<json>` or the default file). */
export function parseSeccompProfile(text: string): SeccompProfile {
  if (Buffer.byteLength(text) > MAX_PROFILE_BYTES) throw fail(`profile is larger than ${MAX_PROFILE_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = parseJsonExact(text);
  } catch (err) {
    throw fail((err as Error).message);
  }
  return checkSeccompProfile(doc);
}

/** Loads a profile file from the host (the default profile shipped with berth). */
export async function loadSeccompProfile(path: string): Promise<SeccompProfile> {
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile() || st.size > MAX_PROFILE_BYTES) throw new Error('not a regular file of sane size');
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw systemError(`loading seccomp profile ${path}: ${(err as Error).message}`, err);
  }
  return parseSeccompProfile(text);
}

// ---------------------------------------------------------------------------------------------
// Conversion

/** "6.1.0-18-amd64" -> [6, 1, 0]; undefined when it does not start with major.minor. */
export function parseKernelVersion(v: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function kernelAtLeast(current: [number, number, number], wanted: string): boolean {
  const w = parseKernelVersion(wanted);
  if (!w) return false;
  for (let i = 0; i < 3; i++) {
    if (current[i]! !== w[i]!) return current[i]! > w[i]!;
  }
  return true;
}

function ociValue(n: bigint): SeccompValue {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : rawJson(n.toString());
}

/**
 * The OCI linux.seccomp for a container, or undefined when the profile disables seccomp
 * (no default action and no rules, as moby treats it).
 */
export function seccompForContainer(profile: SeccompProfile, opts: SeccompOptions): LinuxSeccomp | undefined {
  if (profile.defaultAction === '' && profile.syscalls.length === 0) return undefined;
  if (profile.architectures?.length && profile.archMap?.length) {
    throw invalidParameter(
      "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
  }
  const arch = opts.arch ?? nativeArch();
  const kernel = parseKernelVersion(opts.kernelVersion ?? release()) ?? [0, 0, 0];
  const caps = new Set(opts.capabilities);

  const out: LinuxSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const architectures = [...(profile.architectures ?? [])];
  const seccompArch = NATIVE_TO_SECCOMP[arch];
  if (seccompArch) {
    const entry = profile.archMap?.find((a) => a.architecture === seccompArch);
    if (entry) architectures.push(entry.architecture, ...entry.subArchitectures);
  }
  if (architectures.length > 0) out.architectures = architectures;
  if (profile.flags?.length) out.flags = [...profile.flags];
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) out.listenerMetadata = profile.listenerMetadata;

  const syscalls: LinuxSyscall[] = [];
  for (const rule of profile.syscalls) {
    if (rule.names.length === 0) continue; // nothing to filter; the OCI schema wants at least one name
    const ex = rule.excludes;
    if (ex) {
      if (ex.arches?.includes(arch)) continue;
      if (ex.caps?.some((c) => caps.has(c))) continue;
      if (ex.minKernel && kernelAtLeast(kernel, ex.minKernel)) continue;
    }
    const inc = rule.includes;
    if (inc) {
      if (inc.arches?.length && !inc.arches.includes(arch)) continue;
      if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) continue;
      if (inc.minKernel && !kernelAtLeast(kernel, inc.minKernel)) continue;
    }
    const call: LinuxSyscall = { names: [...rule.names], action: rule.action };
    if (rule.errnoRet !== undefined) call.errnoRet = rule.errnoRet;
    if (rule.args?.length) {
      call.args = rule.args.map((a) => {
        const arg: LinuxSeccompArg = { index: a.index, value: ociValue(a.value), op: a.op };
        if (a.valueTwo !== undefined && a.valueTwo !== 0n) arg.valueTwo = ociValue(a.valueTwo);
        return arg;
      });
    }
    syscalls.push(call);
  }
  if (syscalls.length > 0) out.syscalls = syscalls;
  return out;
}
