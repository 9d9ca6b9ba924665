// Turns a container record into what the runtime box needs: the per-container /etc files,
// the OCI spec for the container, and the OCI process for an exec.
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, invalidParameter, rawJson } from '../../common/index.ts';
import { readFileInRoot } from '../../fsroot/index.ts';
import { hostHasIpv6 } from '../../network/index.ts';
import {
  processEnv, resolveUser, splitDevNumber, supportsRecursiveReadonly,
  type NetworkNamespace, type SeccompProfile, type Spec, type SpecProcess,
} from '../../runtime/index.ts';
import { generateContainerSpec } from '../host-config/index.ts';
import type { StartedMounts } from './mount-points.ts';
import { buildHostsFile, buildResolvConf, hostnameFile, hostResolvConfPath } from './etc-files.ts';
import type { ContainerRecord, HostConfig } from './record.ts';
import type { ContainerDeps } from './deps.ts';

export interface ExecConfig {
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  Tty?: boolean;
  Privileged?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
}

/** Read-only binds cover their submounts where the kernel can (Docker 25+ does the same). */
export const RECURSIVE_READONLY = supportsRecursiveReadonly();

/** Files read from an image's rootfs (passwd, group) are small; anything bigger is refused. */
const MAX_ROOTFS_FILE = 4 * 1024 * 1024;

/** Reads a file of the container's rootfs without ever following a link out of it. */
export function rootfsReader(rootfs: string) {
  return async (pathInRootfs: string): Promise<string | undefined> =>
    (await readFileInRoot(rootfs, pathInRootfs, MAX_ROOTFS_FILE))?.toString('utf8');
}

function networkOf(hostConfig: HostConfig): NetworkNamespace {
  return hostConfig.NetworkMode === 'host' ? 'host' : 'new';
}

/** The network facts the /etc files need. */
export interface EtcNetwork {
  /** The container's own addresses. */
  ips: string[];
  /** --link entries: [ip, "alias name hostname"]. */
  links: Array<[string, string]>;
  /** The embedded DNS server (a user-defined network's gateway), if any. */
  dnsServer?: string;
}

/** Writes hostname, hosts and resolv.conf into the container's directory (atomically). */
export async function prepareEtcFiles(rec: ContainerRecord, hostConfig: HostConfig, _deps: ContainerDeps, net: EtcNetwork = { ips: [], links: [] }): Promise<void> {
  const hostNetwork = hostConfig.NetworkMode === 'host';
  const hostname = rec.Config.Hostname;
  await writeFileAtomic(rec.HostnamePath, hostnameFile(hostname), 0o644);
  const hostHosts = hostNetwork ? await readFile('/etc/hosts', 'utf8').catch(() => '') : '';
  await writeFileAtomic(rec.HostsPath, buildHostsFile({
    hostname, domainname: rec.Config.Domainname, extraHosts: hostConfig.ExtraHosts ?? [],
    hostNetwork: hostNetwork ? { hostHostsFile: hostHosts } : undefined, ips: net.ips, links: net.links,
  }), 0o644);
  const etcResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => undefined);
  const sourcePath = hostResolvConfPath(etcResolv);
  const hostResolv = sourcePath === '/etc/resolv.conf' ? etcResolv : await readFile(sourcePath, 'utf8').catch(() => etcResolv);
  await writeFileAtomic(rec.ResolvConfPath, buildResolvConf({
    hostResolvConf: hostResolv, sourcePath, mode: hostNetwork ? 'host' : net.dnsServer ? 'internal' : 'legacy', internalNameServer: net.dnsServer,
    dns: hostConfig.Dns ?? undefined, dnsSearch: hostConfig.DnsSearch ?? undefined,
    dnsOptions: hostConfig.DnsOptions ?? undefined,
  }), 0o644);
}

export async function buildSpecFor(
  rec: ContainerRecord, hostConfig: HostConfig, rootfs: string, deps: ContainerDeps, mounts: StartedMounts, network: NetworkNamespace = networkOf(hostConfig),
): Promise<Spec> {
  const hc = hostConfig;
  return generateContainerSpec({
    id: rec.ID,
    rootfs,
    config: rec.Config,
    hostConfig: hc,
    network,
    mounts: mounts.mounts,
    rootfsPropagation: mounts.rootfsPropagation,
    ipv4OnlyInterfaces: network === 'new' && hostHasIpv6(),
    etcFiles: { hosts: rec.HostsPath, hostname: rec.HostnamePath, resolvConf: rec.ResolvConfPath },
    cgroupParent: deps.cgroupParent,
    initPath: deps.initPath,
    seccompProfile: deps.seccompProfile as SeccompProfile | 'unconfined',
    knownCapabilities: deps.knownCapabilities,
    statDevice: statDeviceSync,
    readRootfsFile: rootfsReader(rootfs),
    consoleSize: consoleSizeOf(hostConfig.ConsoleSize),
  });
}

/** HostConfig.ConsoleSize [height, width]: the CLI sends it so a TTY has its size from the start. */
function consoleSizeOf(v: unknown): [number, number] | undefined {
  return Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n) && n > 0 && n < 65536) ? [v[0], v[1]] : undefined;
}

/** The spec builder is synchronous; the device paths of blkio limits are few and local. */
function statDeviceSync(path: string) {
  return splitDevNumber(statSync(path).rdev);
}

/** The OCI process of an exec: the container's process settings with the exec's overrides. */
/**
 * The running container's process and root from its bundle, read once per start (the bundle is
 * written at each start; parsing it, seccomp profile and all, is most of an exec's own cost).
 */
const runningSpecs = new WeakMap<ContainerRecord, { startedAt: string; spec: Promise<{ base: SpecProcess; rootfs: string }> }>();

function runningSpecOf(rec: ContainerRecord, execRoot: string): Promise<{ base: SpecProcess; rootfs: string }> {
  const startedAt = rec.State.StartedAt;
  const cached = runningSpecs.get(rec);
  if (cached && cached.startedAt === startedAt) return cached.spec;
  const spec = readFile(join(execRoot, 'c', rec.ID, 'bundle', 'config.json'), 'utf8').then((text) => {
    const parsed = parseJsonExact(text) as Spec;
    return { base: parsed.process!, rootfs: parsed.root!.path };
  });
  spec.catch(() => runningSpecs.delete(rec));
  runningSpecs.set(rec, { startedAt, spec });
  return spec;
}

export async function buildExecProcess(rec: ContainerRecord, hostConfig: HostConfig, exec: ExecConfig, deps: ContainerDeps): Promise<SpecProcess> {
  const { base, rootfs } = await runningSpecOf(rec, deps.execRoot);
  const userSpec = exec.User || rec.Config.User;
  const user = await resolveUser(userSpec, hostConfig.GroupAdd ?? null, rootfsReader(rootfs));
  const env = processEnv([...(rec.Config.Env ?? []), ...(exec.Env ?? [])], rec.Config.Hostname, Boolean(exec.Tty));
  // Docker sets HOME for the exec user when the image does not.
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home || '/'}`);
  const caps = exec.Privileged ? [...deps.knownCapabilities] : null;
  const process: SpecProcess = {
    ...base,
    terminal: Boolean(exec.Tty),
    args: exec.Cmd!,
    env,
    cwd: exec.WorkingDir || base.cwd || '/',
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    capabilities: caps ? { bounding: caps, effective: caps, permitted: caps } as SpecProcess['capabilities'] : base.capabilities,
  };
  delete process.consoleSize;
  if (exec.WorkingDir && !exec.WorkingDir.startsWith('/')) throw invalidParameter(`the working directory '${exec.WorkingDir}' is invalid, it needs to be an absolute path`);
  return process;
}

/** JSON.parse that keeps integers beyond 2^53 (RLIM_INFINITY, seccomp args) exact. */
function parseJsonExact(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)
      ? rawJson(context.source)
      : value);
}
