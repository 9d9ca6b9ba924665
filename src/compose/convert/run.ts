// The container of `compose run`, as docker compose v2 makes it (cmd/compose/run.go
// runOptions.apply, pkg/compose/run.go prepareRun, applyRunOptions): the service with the run's
// overrides, no restart policy, scale 1, labels oneoff=True and a slug, named
// `<project>-<service>-run-<slug[:12]>` unless --name, container-number 1, network aliases only
// with --use-aliases, and no published ports unless --service-ports or --publish.
import type { Project, ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';
import { containerPlan, type ContainerOptions, type ContainerPlan } from './container.ts';
import { parsePublish, parseRunVolume } from './run-options.ts';

export interface RunOverrides {
  /** Replaces the service's command when not empty. */
  command?: string[];
  /** --entrypoint (already split): replaces the entrypoint, and clears the command unless one is given. */
  entrypoint?: string[];
  /** -e values: `KEY=value`, or `KEY` taken from the project environment (dropped when unset there). */
  environment?: string[];
  /** -l/--label values: `key=value`. */
  labels?: string[];
  user?: string;
  workdir?: string;
  /** --name (the service's container_name does not apply to `run`). */
  name?: string;
  /** -T clears it; default true (docker compose: a TTY unless -T). */
  tty?: boolean;
  /** -i (default true): stdin open and attached. */
  interactive?: boolean;
  /** --service-ports: the service's ports are published. */
  servicePorts?: boolean;
  /** -p/--publish values. */
  publish?: string[];
  /** -v/--volume values (short syntax). */
  volumes?: string[];
  /** Where relative `-v` sources resolve (default: the process's working directory). */
  cwd?: string;
  capAdd?: string[];
  capDrop?: string[];
  /** --rm. */
  autoRemove?: boolean;
  /** --use-aliases. */
  useAliases?: boolean;
}

/** The service as `run` creates it (exported for the engine, which also needs its hash/config). */
export function applyRunOverrides(project: Project, service: ServiceConfig, run: RunOverrides): ServiceConfig {
  if (run.servicePorts && run.publish?.length) throw new ComposeError('--service-ports and --publish are incompatible');
  const s: ServiceConfig = structuredClone(service);
  s.tty = run.tty ?? true;
  s.stdin_open = run.interactive ?? true;
  if (run.name) s.container_name = run.name;
  else delete s.container_name;
  if (!run.servicePorts) s.ports = (run.publish ?? []).flatMap((p) => parsePublish(p));
  if (run.volumes?.length) s.volumes = [...(s.volumes ?? []), ...run.volumes.map((v) => parseRunVolume(v, run.cwd ?? process.cwd()))];
  if (run.command?.length) s.command = [...run.command];
  if (run.user) s.user = run.user;
  if (run.capAdd?.length) {
    s.cap_add = [...(s.cap_add ?? []), ...run.capAdd];
    s.cap_drop = (s.cap_drop ?? []).filter((c) => !run.capAdd!.includes(c));
  }
  if (run.capDrop?.length) {
    s.cap_drop = [...(s.cap_drop ?? []), ...run.capDrop];
    s.cap_add = (s.cap_add ?? []).filter((c) => !run.capDrop!.includes(c));
  }
  if (run.workdir) s.working_dir = run.workdir;
  if (run.entrypoint !== undefined) {
    s.entrypoint = [...run.entrypoint];
    if (!run.command?.length) s.command = [];
  }
  if (run.environment?.length) {
    const env = { ...(s.environment ?? {}) };
    for (const e of run.environment) {
      const i = e.indexOf('=');
      if (i === 0) throw new ComposeError(`invalid environment variable: ${e}`);
      if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
      else if (project.environment[e] !== undefined) env[e] = project.environment[e];
      // An unset `-e NAME` is dropped (MappingWithEquals.RemoveEmpty) and leaves the service's value.
    }
    s.environment = env;
  }
  for (const l of run.labels ?? []) {
    const i = l.indexOf('=');
    s.labels = { ...(s.labels ?? {}), [i < 0 ? l : l.slice(0, i)]: i < 0 ? '' : l.slice(i + 1) };
  }
  s.scale = 1;
  delete s.restart;
  if (s.deploy) {
    s.deploy = { ...s.deploy };
    delete s.deploy.restart_policy;
  }
  return s;
}

/** The plan of a `compose run` container: opts as for containerPlan (number, oneOff are set here). */
export function runContainerPlan(project: Project, service: ServiceConfig, run: RunOverrides, opts: Omit<ContainerOptions, 'number' | 'oneOff'>): ContainerPlan {
  const s = applyRunOverrides(project, service, run);
  return containerPlan(project, s, {
    ...opts,
    number: 1,
    oneOff: true,
    autoRemove: run.autoRemove ?? false,
    attachStdin: s.stdin_open,
    useNetworkAliases: run.useAliases ?? false,
  });
}
