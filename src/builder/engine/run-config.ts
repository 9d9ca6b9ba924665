// The image's runtime config as the classic builder carries it from step to step (moby's
// container.Config in dispatchState.runConfig), and the Go struct shape dockerd writes it in:
// every field present, maps with sorted keys, so an image reads like one dockerd built.
import type { ImageRuntimeConfig } from '../../image/index.ts';

const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** system.DefaultPathEnv("linux"): added when the base image has no PATH (moby setDefaultPath). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type RunConfig = ImageRuntimeConfig;

const copyList = (v: string[] | null | undefined) => (v == null ? v : [...v]);
const copyMap = <T>(v: Record<string, T> | null | undefined) => (v == null ? v : { ...v });

/** moby copyRunConfig: a copy whose lists and maps can be changed freely. */
export function cloneRunConfig(rc: RunConfig): RunConfig {
  return {
    ...rc,
    Cmd: copyList(rc.Cmd),
    Env: copyList(rc.Env),
    Entrypoint: copyList(rc.Entrypoint),
    OnBuild: copyList(rc.OnBuild),
    Shell: copyList(rc.Shell),
    Volumes: copyMap(rc.Volumes),
    ExposedPorts: copyMap(rc.ExposedPorts),
    Labels: copyMap(rc.Labels),
    Healthcheck: rc.Healthcheck ? { ...rc.Healthcheck, Test: copyList(rc.Healthcheck.Test) ?? undefined } : rc.Healthcheck,
  };
}

export function shellOf(rc: RunConfig): string[] {
  return rc.Shell && rc.Shell.length > 0 ? [...rc.Shell] : [...DEFAULT_SHELL];
}

const sortedMap = <T>(m: Record<string, T> | null | undefined): Record<string, T> | undefined => {
  if (m == null) return undefined;
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
};

/**
 * container.Config as encoding/json writes it: the field order of the Go struct, `omitempty`
 * fields left out when empty, the others always present (null for empty lists and maps).
 */
export function goRunConfig(rc: RunConfig): RunConfig {
  const out: RunConfig = {
    Hostname: (rc.Hostname as string | undefined) ?? '',
    Domainname: (rc.Domainname as string | undefined) ?? '',
    User: rc.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
  };
  const ports = sortedMap(rc.ExposedPorts);
  if (ports && Object.keys(ports).length > 0) out.ExposedPorts = ports;
  out.Tty = false;
  out.OpenStdin = false;
  out.StdinOnce = false;
  out.Env = rc.Env && rc.Env.length > 0 ? [...rc.Env] : null;
  out.Cmd = rc.Cmd && rc.Cmd.length > 0 ? [...rc.Cmd] : null;
  if (rc.Healthcheck) out.Healthcheck = rc.Healthcheck;
  if (rc.ArgsEscaped) out.ArgsEscaped = true;
  out.Image = (rc.Image as string | undefined) ?? '';
  const vols = sortedMap(rc.Volumes);
  out.Volumes = vols && Object.keys(vols).length > 0 ? vols : null;
  out.WorkingDir = rc.WorkingDir ?? '';
  out.Entrypoint = rc.Entrypoint && rc.Entrypoint.length > 0 ? [...rc.Entrypoint] : null;
  if (rc.NetworkDisabled) out.NetworkDisabled = true;
  if (rc.MacAddress) out.MacAddress = rc.MacAddress;
  out.OnBuild = rc.OnBuild && rc.OnBuild.length > 0 ? [...rc.OnBuild] : null;
  const labels = sortedMap(rc.Labels);
  out.Labels = labels && Object.keys(labels).length > 0 ? labels : null;
  if (rc.StopSignal) out.StopSignal = rc.StopSignal;
  if (rc.StopTimeout !== undefined && rc.StopTimeout !== null) out.StopTimeout = rc.StopTimeout;
  if (rc.Shell && rc.Shell.length > 0) out.Shell = [...rc.Shell];
  return out;
}

/** A JSON text with object keys sorted at every level: the stable form a cache key hashes. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
