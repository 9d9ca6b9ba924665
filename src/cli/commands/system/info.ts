// `berth system info` (info): docker's Client:/Server: layout from GET /info, or a template.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { CLI_VERSION } from '../../framework/build-info.ts';
import { binarySize } from '../../format/index.ts';
import { errorText, formatFlag, INSPECT_FORMAT_HELP, parseFormat } from '../shared.ts';

type Info = Record<string, any>;

/** Go's fmt.Println of the operands: joined by spaces, then a newline. */
function println(...parts: unknown[]): string {
  return parts.map((p) => (p === null || p === undefined ? '<nil>' : String(p))).join(' ') + '\n';
}

function nonEmpty(label: string, value: unknown): string {
  return value === undefined || value === null || value === '' ? '' : println(label, value);
}

function clientInfo(ctx: CommandContext): Record<string, unknown> {
  return { Debug: ctx.debug, Version: CLI_VERSION, Context: 'default', Plugins: [], Warnings: null };
}

function clientSection(ctx: CommandContext): string {
  return 'Client:\n' + println(' Version:   ', CLI_VERSION) + println(' Context:   ', 'default') + println(' Debug Mode:', ctx.debug);
}

/** docker/cli's prettyPrintServerInfo for a Linux daemon. */
function serverSection(info: Info, clientDebug: boolean): { out: string; warnings: string[] } {
  let o = '';
  o += println(' Containers:', info.Containers ?? 0);
  o += println('  Running:', info.ContainersRunning ?? 0);
  o += println('  Paused:', info.ContainersPaused ?? 0);
  o += println('  Stopped:', info.ContainersStopped ?? 0);
  o += println(' Images:', info.Images ?? 0);
  o += nonEmpty(' Server Version:', info.ServerVersion);
  o += nonEmpty(' Storage Driver:', info.Driver);
  if (info.Driver) for (const pair of info.DriverStatus ?? []) o += `  ${pair[0]}: ${pair[1]}\n`;
  o += nonEmpty(' Logging Driver:', info.LoggingDriver);
  o += nonEmpty(' Cgroup Driver:', info.CgroupDriver);
  o += nonEmpty(' Cgroup Version:', info.CgroupVersion);
  const plugins = info.Plugins ?? {};
  o += println(' Plugins:');
  o += println('  Volume:', (plugins.Volume ?? []).join(' '));
  o += println('  Network:', (plugins.Network ?? []).join(' '));
  if ((plugins.Authorization ?? []).length) o += println('  Authorization:', plugins.Authorization.join(' '));
  o += println('  Log:', (plugins.Log ?? []).join(' '));
  if ((info.CDISpecDirs ?? []).length) {
    o += println(' CDI spec directories:');
    for (const dir of info.CDISpecDirs) o += println('  ' + dir);
  }
  o += println(' Swarm:', info.Swarm?.LocalNodeState ?? '');
  const runtimes = Object.keys(info.Runtimes ?? {}).sort();
  if (runtimes.length) {
    o += println(' Runtimes:', runtimes.join(' '));
    o += println(' Default Runtime:', info.DefaultRuntime ?? '');
  }
  if (info.OSType === 'linux') {
    o += println(' Init Binary:', info.InitBinary ?? '');
    for (const [name, commit] of [['containerd', info.ContainerdCommit], ['runc', info.RuncCommit], ['init', info.InitCommit]] as const) {
      o += ` ${name} version: ${commit?.ID ?? ''}\n`;
    }
    const secopts: string[] = info.SecurityOptions ?? [];
    if (secopts.length) {
      o += println(' Security Options:');
      for (const so of secopts) {
        // "name=seccomp,profile=builtin" (docker's DecodeSecurityOptions)
        const kvs = so.split(',').map((kv) => kv.split('=', 2) as [string, string?]);
        const name = kvs.find(([k]) => k === 'name')?.[1] ?? so;
        o += println('  ' + name);
        for (const [k, v] of kvs) if (k === 'profile') o += println('   Profile:', v);
      }
    }
  }
  o += nonEmpty(' Kernel Version:', info.KernelVersion);
  o += nonEmpty(' Operating System:', info.OperatingSystem);
  o += nonEmpty(' OSType:', info.OSType);
  o += nonEmpty(' Architecture:', info.Architecture);
  o += println(' CPUs:', info.NCPU ?? 0);
  o += println(' Total Memory:', binarySize(info.MemTotal ?? 0));
  o += nonEmpty(' Name:', info.Name);
  o += nonEmpty(' ID:', info.ID);
  o += println(' Docker Root Dir:', info.DockerRootDir ?? '');
  o += println(' Debug Mode:', Boolean(info.Debug));
  if (info.Debug || clientDebug) {
    o += println('  File Descriptors:', info.NFd ?? 0);
    o += println('  Goroutines:', info.NGoroutines ?? 0);
    o += println('  System Time:', info.SystemTime ?? '');
    o += println('  EventsListeners:', info.NEventsListener ?? 0);
  }
  o += nonEmpty(' HTTP Proxy:', info.HttpProxy);
  o += nonEmpty(' HTTPS Proxy:', info.HttpsProxy);
  o += nonEmpty(' No Proxy:', info.NoProxy);
  if ((info.Labels ?? []).length) {
    o += println(' Labels:');
    for (const l of info.Labels) o += println('  ' + l);
  }
  o += println(' Experimental:', Boolean(info.ExperimentalBuild));
  const reg = info.RegistryConfig;
  const insecureIndexes = Object.values(reg?.IndexConfigs ?? {}).filter((c: any) => !c.Secure).map((c: any) => c.Name as string);
  const cidrs: string[] = reg?.InsecureRegistryCIDRs ?? [];
  if (reg && (cidrs.length || Object.keys(reg.IndexConfigs ?? {}).length)) {
    o += println(' Insecure Registries:');
    for (const name of insecureIndexes) o += println('  ' + name);
    for (const cidr of cidrs) o += `  ${cidr}\n`;
  }
  if ((reg?.Mirrors ?? []).length) {
    o += println(' Registry Mirrors:');
    for (const m of reg.Mirrors) o += println('  ' + m);
  }
  o += println(' Live Restore Enabled:', Boolean(info.LiveRestoreEnabled));
  if (info.ProductLicense) o += println(' Product License:', info.ProductLicense);
  if ((info.DefaultAddressPools ?? []).length) {
    o += println(' Default Address Pools:');
    for (const p of info.DefaultAddressPools) o += `   Base: ${p.Base}, Size: ${p.Size}\n`;
  }
  o += '\n';
  return { out: o, warnings: info.Warnings ?? [] };
}

export const infoCommand: CommandSpec = {
  name: 'info',
  usage: '[OPTIONS]',
  short: 'Display system-wide information',
  flags: [formatFlag(INSPECT_FORMAT_HELP, 'f')],
  args: { max: 0 },
  async run(ctx, flags) {
    const format = flags.string('format');
    if (format) {
      const tmpl = parseFormat(format === 'json' ? '{{json .}}' : format, 'template parsing error: ', 64, { missingKey: 'error' });
      const info = await ctx.client.json<Info>('GET', '/info');
      const data = { ...info, ClientInfo: clientInfo(ctx) };
      let text: string;
      try {
        text = tmpl.execute(data);
      } catch (err) {
        ctx.stdout.write('\n');
        throw new StatusError(1, (err as Error).message);
      }
      ctx.stdout.write(text + '\n');
      return 0;
    }
    ctx.stdout.write(clientSection(ctx) + '\nServer:\n');
    let info: Info;
    try {
      info = await ctx.client.json<Info>('GET', '/info');
    } catch (err) {
      ctx.stderr.write(`ERROR: ${errorText(err)}\n`);
      throw new StatusError(1, 'errors pretty printing info');
    }
    const { out, warnings } = serverSection(info, ctx.debug);
    ctx.stdout.write(out);
    for (const w of warnings) ctx.stderr.write(w + '\n');
    return 0;
  },
};
