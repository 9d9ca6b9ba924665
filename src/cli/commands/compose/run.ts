// `berth compose run SERVICE [COMMAND]`: a one-off container of a service (labels oneoff=True,
// named <project>-<service>-run-<12 hex>), its dependencies up unless --no-deps, attached as
// `berth run` is (a TTY unless -T, stdin unless -i=false), exiting with the container's code.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';

import { ComposeError, injectionTar, runContainerPlan, withServicesEnabled, type ContainerPlan, type RunOverrides } from '../../../compose/index.ts';
import { consoleSize, forwardSignals, monitorTtySize } from '../../terminal/index.ts';
import { checkTty, detachKeysFor, openAttach, pumpAttach, waitExit, type AttachStreams } from '../container/attach.ts';
import { checkServices, composeRun, requireProject } from './shared.ts';
import { prepareRun } from './run-deps.ts';

/** shellwords.Parse as compose reads --entrypoint: words split at blanks, quotes and backslashes honoured. */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (quote) throw new ComposeError('invalid command line string');
  if (has) words.push(cur);
  return words;
}

/** Secrets/configs from the environment or inline content, copied in before the start (at '/', as compose). */
async function putFiles(ctx: CommandContext, id: string, files: ContainerPlan['files']): Promise<void> {
  for (const f of files) {
    await ctx.client.call('PUT', `/containers/${id}/archive`, {
      query: { path: '/', copyUIDGID: f.copyUIDGID ? 'true' : undefined },
      body: await injectionTar(f), headers: { 'Content-Type': 'application/x-tar' },
    }).then((r) => r.body.resume());
  }
}

export const runCommand: CommandSpec = {
  name: 'run',
  usage: '[OPTIONS] SERVICE [COMMAND] [ARGS...]',
  short: 'Run a one-off command on a service',
  flags: [
    { name: 'build', type: 'bool', usage: 'Build image before starting container' },
    { name: 'cap-add', type: 'list', usage: 'Add Linux capabilities', valueName: 'list' },
    { name: 'cap-drop', type: 'list', usage: 'Drop Linux capabilities', valueName: 'list' },
    { name: 'detach', short: 'd', type: 'bool', usage: 'Run container in background and print container ID' },
    { name: 'entrypoint', type: 'string', usage: 'Override the entrypoint of the image' },
    { name: 'env', short: 'e', type: 'list', usage: 'Set environment variables', valueName: 'stringArray' },
    { name: 'interactive', short: 'i', type: 'bool', usage: 'Keep STDIN open even if not attached', default: true },
    { name: 'label', short: 'l', type: 'list', usage: 'Add or override a label', valueName: 'stringArray' },
    { name: 'name', type: 'string', usage: 'Assign a name to the container' },
    { name: 'no-TTY', short: 'T', type: 'bool', usage: 'Disable pseudo-TTY allocation (default: auto-detected)' },
    { name: 'no-deps', type: 'bool', usage: "Don't start linked services" },
    { name: 'publish', short: 'p', type: 'list', usage: "Publish a container's port(s) to the host", valueName: 'stringArray' },
    { name: 'pull', type: 'string', usage: 'Pull image before running ("always"|"missing"|"never")', default: 'policy' },
    { name: 'quiet-pull', type: 'bool', usage: 'Pull without printing progress information' },
    { name: 'remove-orphans', type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
    { name: 'rm', type: 'bool', usage: 'Automatically remove the container when it exits' },
    { name: 'service-ports', short: 'P', type: 'bool', usage: "Run command with all service's ports enabled and mapped to the host" },
    { name: 'tty', short: 't', type: 'bool', usage: 'Allocate a pseudo-TTY', default: true, hidden: true },
    { name: 'use-aliases', type: 'bool', usage: "Use the service's network useAliases in the network(s) the container connects to" },
    { name: 'user', short: 'u', type: 'string', usage: 'Run as specified username or uid' },
    { name: 'volume', short: 'v', type: 'list', usage: 'Bind mount a volume', valueName: 'stringArray' },
    { name: 'workdir', short: 'w', type: 'string', usage: 'Working directory inside the container' },
  ],
  args: { min: 1 },
  stopAtFirstArg: true,
  run: composeRun(async (ctx, flags, args) => {
    const [serviceName, ...command] = args as [string, ...string[]];
    // A service named on the command line runs even when its profiles are not active.
    const project = withServicesEnabled(await requireProject(ctx), [serviceName]);
    checkServices(project, [serviceName]);
    const service = project.services[serviceName]!;
    const detach = flags.bool('detach');
    const noTty = flags.changed('no-TTY') ? flags.bool('no-TTY') : !ctx.stdout.isTTY;
    const tty = !noTty && flags.bool('tty');
    const interactive = flags.bool('interactive');
    if (!detach) checkTty(ctx, interactive, tty);
    const overrides: RunOverrides = {
      command: command.length ? command : undefined,
      entrypoint: flags.changed('entrypoint') ? shellSplit(flags.string('entrypoint')) : undefined,
      environment: flags.list('env'),
      labels: flags.list('label'),
      user: flags.string('user') || undefined,
      workdir: flags.string('workdir') || undefined,
      name: flags.string('name') || undefined,
      tty,
      interactive: interactive && !detach,
      servicePorts: flags.bool('service-ports'),
      publish: flags.list('publish'),
      volumes: flags.list('volume'),
      cwd: process.cwd(),
      capAdd: flags.list('cap-add'),
      capDrop: flags.list('cap-drop'),
      autoRemove: flags.bool('rm'),
      useAliases: flags.bool('use-aliases'),
    };
    await prepareRun(ctx, project, service, {
      noDeps: flags.bool('no-deps'), build: flags.bool('build'), pull: flags.string('pull'), quietPull: flags.bool('quiet-pull'), removeOrphans: flags.bool('remove-orphans'),
    });
    const plan = runContainerPlan(project, service, overrides, { apiVersion: await ctx.client.apiVersion() });
    for (const w of plan.warnings) ctx.stderr.write(`WARN[0000] ${w}\n`);
    if (tty) plan.body.ConsoleSize = consoleSize(ctx.stdout);
    if (detach) Object.assign(plan.body, { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false, OpenStdin: false });
    else Object.assign(plan.body, { AttachStdin: interactive, AttachStdout: true, AttachStderr: true, OpenStdin: interactive, StdinOnce: interactive });
    const { Id: id } = await ctx.client.json<{ Id: string }>('POST', '/containers/create', { query: { name: plan.createName }, body: plan.body });
    for (const c of plan.connectAfterCreate) await ctx.client.call('POST', `/networks/${encodeURIComponent(c.network)}/connect`, { body: { Container: id, ...c.body } }).then((r) => r.body.resume());
    await putFiles(ctx, id, plan.files);
    const autoRemove = Boolean((plan.body.HostConfig as { AutoRemove?: boolean } | undefined)?.AutoRemove);
    if (detach) {
      await ctx.client.call('POST', `/containers/${id}/start`).then((r) => r.body.resume());
      ctx.stdout.write(`${plan.name}\n`);
      return 0;
    }
    const streams: AttachStreams = { stdin: interactive, stdout: true, stderr: true, detachKeys: detachKeysFor(ctx, '') };
    const stopSignals = tty ? () => {} : forwardSignals(ctx.client, id);
    let stopResize = () => {};
    try {
      const conn = await openAttach(ctx, id, streams);
      const pumping = pumpAttach(ctx, conn, streams, tty);
      const { exit } = await waitExit(ctx, id, autoRemove ? 'removed' : 'next-exit');
      try {
        await ctx.client.call('POST', `/containers/${id}/start`).then((r) => r.body.resume());
      } catch (err) {
        conn.socket.destroy();
        await pumping;
        if (autoRemove) await exit;
        throw err;
      }
      if (tty && ctx.stdout.isTTY) stopResize = await monitorTtySize({ client: ctx.client, id, exec: false }, ctx.stdout, ctx.stderr);
      if ((await pumping) === 'detached') return 0;
      return await exit;
    } finally {
      stopResize();
      stopSignals();
    }
  }),
};

