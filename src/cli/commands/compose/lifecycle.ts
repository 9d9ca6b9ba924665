// up, down, create, start, stop, restart, rm, kill, pause, unpause, build, pull, push: docker
// compose v2's flags over the compose engine (src/compose, Compose). Owned by the engine part (cmp-engine).
import type { CommandContext, CommandSpec, FlagSpec, Flags } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { ComposeError, LogConsumer, type Project, type UpOptions } from '../../../compose/index.ts';
import { composeEngine, useColor } from './engine-context.ts';
import { loadComposeProject } from './project-options.ts';
import { projectOrName } from './shared.ts';

const SERVICES = '[SERVICE...]';

const timeoutFlag: FlagSpec = { name: 'timeout', short: 't', type: 'int', usage: 'Specify a shutdown timeout in seconds' };
const pullFlag: FlagSpec = { name: 'pull', type: 'string', usage: 'Pull image before running ("always"|"missing"|"never")', default: 'policy' };
const CREATE_FLAGS: FlagSpec[] = [
  { name: 'build', type: 'bool', usage: 'Build images before starting containers' },
  { name: 'no-build', type: 'bool', usage: "Don't build an image, even if it's policy" },
  { name: 'force-recreate', type: 'bool', usage: "Recreate containers even if their configuration and image haven't changed" },
  { name: 'no-recreate', type: 'bool', usage: "If containers already exist, don't recreate them. Incompatible with --force-recreate." },
  pullFlag,
  { name: 'quiet-pull', type: 'bool', usage: 'Pull without printing progress information' },
  { name: 'remove-orphans', type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
  { name: 'scale', type: 'list', usage: 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.', valueName: 'scale' },
  { name: 'yes', short: 'y', type: 'bool', usage: 'Assume "yes" as answer to all prompts and run non-interactively' },
];

const seconds = (flags: Flags, name = 'timeout') => (flags.changed(name) ? flags.int(name) : undefined);

function parseScale(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const [name, num] = v.split('=', 2);
    if (num === undefined || !/^\d+$/.test(num)) throw new ComposeError(`invalid scale specifier: ${v}`);
    out[name] = Number(num);
  }
  return out;
}

function ignoreOrphans(): boolean {
  return /^(1|true|yes)$/i.test(process.env.COMPOSE_IGNORE_ORPHANS ?? '');
}

function createOptions(flags: Flags, services: string[]): UpOptions {
  if (flags.bool('build') && flags.bool('no-build')) throw new ComposeError('--build and --no-build are incompatible');
  if (flags.bool('force-recreate') && flags.bool('no-recreate')) throw new ComposeError('--force-recreate and --no-recreate are incompatible');
  const pull = flags.string('pull');
  if (pull && !['policy', 'always', 'missing', 'never', 'build'].includes(pull)) throw new ComposeError(`invalid --pull option "${pull}"`);
  const recreate = flags.bool('force-recreate') ? 'force' : flags.bool('no-recreate') ? 'never' : 'diverged';
  return {
    services,
    recreate,
    recreateDependencies: flags.bool('no-recreate') ? 'never' : 'diverged',
    removeOrphans: flags.bool('remove-orphans') || /^(1|true)$/i.test(process.env.COMPOSE_REMOVE_ORPHANS ?? ''),
    ignoreOrphans: ignoreOrphans(),
    scale: parseScale(flags.list('scale')),
    images: { build: flags.bool('build'), noBuild: flags.bool('no-build'), pull: pull === 'policy' ? undefined : pull, quietPull: flags.bool('quiet-pull') },
  };
}

/** Runs a compose verb: a ComposeError becomes its message and exit code, as compose prints them. */
async function guarded(fn: () => Promise<number | void>): Promise<number> {
  try {
    return (await fn()) ?? 0;
  } catch (err) {
    if (err instanceof ComposeError) throw new StatusError(err.exitCode, err.message);
    throw err;
  }
}

const upCommand: CommandSpec = {
  name: 'up',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Create and start containers',
  flags: [
    ...CREATE_FLAGS,
    { name: 'abort-on-container-exit', type: 'bool', usage: 'Stops all containers if any container was stopped. Incompatible with -d' },
    { name: 'abort-on-container-failure', type: 'bool', usage: 'Stops all containers if any container exited with failure. Incompatible with -d' },
    { name: 'always-recreate-deps', type: 'bool', usage: 'Recreate dependent containers. Incompatible with --no-recreate.' },
    { name: 'attach', type: 'list', usage: 'Restrict attaching to the specified services. Incompatible with --attach-dependencies.', valueName: 'stringArray' },
    { name: 'attach-dependencies', type: 'bool', usage: 'Automatically attach to log output of dependent services' },
    { name: 'detach', short: 'd', type: 'bool', usage: 'Detached mode: Run containers in the background' },
    { name: 'exit-code-from', type: 'string', usage: 'Return the exit code of the selected service container. Implies --abort-on-container-exit' },
    { name: 'no-attach', type: 'list', usage: "Do not attach (stream logs) to the specified services", valueName: 'stringArray' },
    { name: 'no-color', type: 'bool', usage: 'Produce monochrome output' },
    { name: 'no-deps', type: 'bool', usage: "Don't start linked services" },
    { name: 'no-log-prefix', type: 'bool', usage: "Don't print prefix in logs" },
    { name: 'no-start', type: 'bool', usage: "Don't start the services after creating them" },
    { name: 'renew-anon-volumes', short: 'V', type: 'bool', usage: 'Recreate anonymous volumes instead of retrieving data from the previous containers' },
    timeoutFlag,
    { name: 'timestamps', type: 'bool', usage: 'Show timestamps' },
    { name: 'wait', type: 'bool', usage: 'Wait for services to be running|healthy. Implies detached mode.' },
    { name: 'wait-timeout', type: 'int', usage: 'Maximum duration in seconds to wait for the project to be running|healthy' },
  ],
  run: (ctx, flags, args) =>
    guarded(async () => {
      const detach = flags.bool('detach') || flags.bool('wait');
      const exitCodeFrom = flags.string('exit-code-from');
      const cascade = flags.bool('abort-on-container-exit') || flags.bool('abort-on-container-failure') || !!exitCodeFrom;
      if (flags.bool('abort-on-container-exit') && flags.bool('abort-on-container-failure')) throw new ComposeError('--abort-on-container-exit and --abort-on-container-failure cannot be combined');
      if (flags.list('attach').length && flags.bool('attach-dependencies')) throw new ComposeError('--attach and --attach-dependencies are incompatible');
      if (flags.bool('detach') && (cascade || flags.list('attach').length || flags.bool('attach-dependencies'))) {
        throw new ComposeError('--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach or --attach-dependencies');
      }
      if (flags.bool('always-recreate-deps') && flags.bool('no-recreate')) throw new ComposeError('--always-recreate-deps and --no-recreate are incompatible');
      const opts = createOptions(flags, args);
      const project = await loadComposeProject(ctx);
      if (exitCodeFrom && !project.services[exitCodeFrom]) throw new ComposeError(`no such service: ${exitCodeFrom}`);
      if (flags.bool('always-recreate-deps')) opts.recreateDependencies = 'force';
      opts.noDeps = flags.bool('no-deps');
      opts.timeout = seconds(flags);
      opts.renewAnonVolumes = flags.bool('renew-anon-volumes');
      opts.detach = detach;
      opts.noStart = flags.bool('no-start');
      opts.wait = flags.bool('wait');
      opts.waitTimeout = flags.changed('wait-timeout') ? flags.int('wait-timeout') : undefined;
      const color = useColor(ctx) && !flags.bool('no-color');
      opts.foreground = {
        attach: flags.list('attach'),
        noAttach: flags.list('no-attach'),
        abortOnContainerExit: flags.bool('abort-on-container-exit') || !!exitCodeFrom,
        abortOnContainerFailure: flags.bool('abort-on-container-failure'),
        attachDependencies: flags.bool('attach-dependencies'),
        exitCodeFrom: exitCodeFrom || undefined,
        timeout: opts.timeout,
        printer: new LogConsumer({ stdout: ctx.stdout, stderr: ctx.stderr, color, prefix: !flags.bool('no-log-prefix'), timestamps: flags.bool('timestamps') }),
        info: (message) => ctx.stdout.write(`${message}\n`),
        onInterrupt: (handler) => {
          process.on('SIGINT', handler);
          process.on('SIGTERM', handler);
          return () => {
            process.off('SIGINT', handler);
            process.off('SIGTERM', handler);
          };
        },
      };
      return composeEngine(ctx).up(project, opts);
    }),
};

const createCommand: CommandSpec = {
  name: 'create',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Creates containers for a service',
  flags: CREATE_FLAGS,
  run: (ctx, flags, args) =>
    guarded(async () => {
      const opts = createOptions(flags, args);
      const project = await loadComposeProject(ctx);
      await composeEngine(ctx).create(project, opts);
    }),
};

const startCommand: CommandSpec = {
  name: 'start',
  usage: SERVICES,
  short: 'Start services',
  flags: [
    { name: 'wait', type: 'bool', usage: 'Wait for services to be running|healthy. Implies detached mode.' },
    { name: 'wait-timeout', type: 'int', usage: 'Maximum duration in seconds to wait for the project to be running|healthy' },
  ],
  run: (ctx, flags, args) =>
    guarded(async () => {
      const project = await loadComposeProject(ctx);
      await composeEngine(ctx).start(project, { services: args, wait: flags.bool('wait'), waitTimeout: seconds(flags, 'wait-timeout') });
    }),
};

const stopCommand: CommandSpec = {
  name: 'stop',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Stop services',
  flags: [timeoutFlag],
  run: (ctx, flags, args) =>
    guarded(async () => {
      await composeEngine(ctx).stop(await projectOrName(ctx), { services: args, timeout: seconds(flags) });
    }),
};

const restartCommand: CommandSpec = {
  name: 'restart',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Restart service containers',
  flags: [{ name: 'no-deps', type: 'bool', usage: "Don't restart dependent services" }, timeoutFlag],
  run: (ctx, flags, args) =>
    guarded(async () => {
      await composeEngine(ctx).restart(await projectOrName(ctx), { services: args, timeout: seconds(flags), noDeps: flags.bool('no-deps') });
    }),
};

const downCommand: CommandSpec = {
  name: 'down',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Stop and remove containers, networks',
  flags: [
    { name: 'remove-orphans', type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
    { name: 'rmi', type: 'string', usage: 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")' },
    timeoutFlag,
    { name: 'volumes', short: 'v', type: 'bool', usage: 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers' },
  ],
  run: (ctx, flags) =>
    guarded(async () => {
      const rmi = flags.string('rmi');
      if (rmi && rmi !== 'local' && rmi !== 'all') throw new ComposeError(`invalid value for --rmi: ${rmi}`);
      await composeEngine(ctx).down(await projectOrName(ctx), {
        removeOrphans: flags.bool('remove-orphans') || /^(1|true)$/i.test(process.env.COMPOSE_REMOVE_ORPHANS ?? ''),
        volumes: flags.bool('volumes'),
        images: rmi as 'local' | 'all' | '',
        timeout: seconds(flags),
        ignoreOrphans: ignoreOrphans(),
      });
    }),
};

async function confirmRemoval(ctx: CommandContext, names: string[]): Promise<boolean> {
  ctx.stdout.write(`Going to remove ${names.join(', ')}\n`);
  ctx.stdout.write('? Are you sure? (y/N) ');
  const answer = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) done();
    };
    const done = () => {
      ctx.stdin.off('data', onData);
      ctx.stdin.off('end', done);
      ctx.stdin.pause();
      resolve(buf.split('\n')[0].trim());
    };
    ctx.stdin.on('data', onData);
    ctx.stdin.on('end', done);
    ctx.stdin.resume();
  });
  if (!ctx.stdin.isTTY) ctx.stdout.write('\n');
  return /^y(es)?$/i.test(answer);
}

const rmCommand: CommandSpec = {
  name: 'rm',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Removes stopped service containers',
  long: 'Removes stopped service containers\n\nBy default, anonymous volumes attached to containers will not be removed. You\ncan override this with -v. To list all volumes, use "docker volume ls".\n\nAny data which is not in a volume will be lost.',
  flags: [
    { name: 'force', short: 'f', type: 'bool', usage: "Don't ask to confirm removal" },
    { name: 'stop', short: 's', type: 'bool', usage: 'Stop the containers, if required, before removing' },
    { name: 'volumes', short: 'v', type: 'bool', usage: 'Remove any anonymous volumes attached to containers' },
  ],
  run: (ctx, flags, args) =>
    guarded(async () => {
      const done = await composeEngine(ctx).remove(await projectOrName(ctx), {
        services: args,
        stop: flags.bool('stop'),
        volumes: flags.bool('volumes'),
        confirm: flags.bool('force') ? undefined : (names) => confirmRemoval(ctx, names),
      });
      if (!done) ctx.stderr.write('No stopped containers\n');
    }),
};

const killCommand: CommandSpec = {
  name: 'kill',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Force stop service containers',
  flags: [
    { name: 'remove-orphans', type: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
    { name: 'signal', short: 's', type: 'string', usage: 'SIGNAL to send to the container', default: 'SIGKILL' },
  ],
  run: (ctx, flags, args) =>
    guarded(async () => {
      const killed = await composeEngine(ctx).kill(await projectOrName(ctx), { services: args, signal: flags.string('signal'), removeOrphans: flags.bool('remove-orphans') });
      if (!killed) ctx.stderr.write('no container to kill\n');
    }),
};

const pauseCommand: CommandSpec = {
  name: 'pause',
  usage: SERVICES,
  short: 'Pause services',
  run: (ctx, _flags, args) => guarded(async () => composeEngine(ctx).pause(await projectOrName(ctx), { services: args })),
};

const unpauseCommand: CommandSpec = {
  name: 'unpause',
  usage: SERVICES,
  short: 'Unpause services',
  run: (ctx, _flags, args) => guarded(async () => composeEngine(ctx).unpause(await projectOrName(ctx), { services: args })),
};

function buildArgs(values: string[], project: Project): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) {
      const env = project.environment[v] ?? process.env[v];
      if (env !== undefined) out[v] = env;
    } else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

const buildCommand: CommandSpec = {
  name: 'build',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Build or rebuild services',
  flags: [
    { name: 'build-arg', type: 'list', usage: 'Set build-time variables for services', valueName: 'stringArray' },
    { name: 'no-cache', type: 'bool', usage: 'Do not use cache when building the image' },
    { name: 'pull', type: 'bool', usage: 'Always attempt to pull a newer version of the image' },
    { name: 'quiet', short: 'q', type: 'bool', usage: "Don't print anything to STDOUT" },
    { name: 'with-dependencies', type: 'bool', usage: 'Also build dependencies (transitively)' },
  ],
  run: (ctx, flags, args) =>
    guarded(async () => {
      const project = await loadComposeProject(ctx);
      await composeEngine(ctx, { quiet: flags.bool('quiet') }).build(project, {
        services: args, noCache: flags.bool('no-cache') || undefined, pull: flags.bool('pull') || undefined, quiet: flags.bool('quiet'),
        args: buildArgs(flags.list('build-arg'), project), withDependencies: flags.bool('with-dependencies'),
      });
    }),
};

const pullCommand: CommandSpec = {
  name: 'pull',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Pull service images',
  flags: [
    { name: 'ignore-buildable', type: 'bool', usage: 'Ignore images that can be built' },
    { name: 'ignore-pull-failures', type: 'bool', usage: 'Pull what it can and ignores images with pull failures' },
    { name: 'include-deps', type: 'bool', usage: 'Also pull services declared as dependencies' },
    { name: 'policy', type: 'string', usage: 'Apply pull policy ("missing"|"always")' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Pull without printing progress information' },
  ],
  run: (ctx, flags, args) =>
    guarded(async () => {
      const policy = flags.string('policy');
      if (policy && policy !== 'missing' && policy !== 'always') throw new ComposeError(`invalid pull policy "${policy}"`);
      const project = await loadComposeProject(ctx);
      await composeEngine(ctx, { quiet: flags.bool('quiet') }).pull(project, {
        services: args, includeDeps: flags.bool('include-deps'), ignoreFailures: flags.bool('ignore-pull-failures'), quiet: flags.bool('quiet'), policy: policy || undefined,
      });
    }),
};

const pushCommand: CommandSpec = {
  name: 'push',
  usage: `[OPTIONS] ${SERVICES}`,
  short: 'Push service images',
  flags: [
    { name: 'ignore-push-failures', type: 'bool', usage: 'Push what it can and ignores images with push failures' },
    { name: 'include-deps', type: 'bool', usage: 'Also push images of services declared as dependencies' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Push without printing progress information' },
  ],
  run: (ctx, flags, args) =>
    guarded(async () => {
      const project = await loadComposeProject(ctx);
      await composeEngine(ctx, { quiet: flags.bool('quiet') }).push(project, { services: args, ignoreFailures: flags.bool('ignore-push-failures'), quiet: flags.bool('quiet') });
    }),
};

export const lifecycleCommands: CommandSpec[] = [
  upCommand, downCommand, createCommand, startCommand, stopCommand, restartCommand, rmCommand, killCommand, pauseCommand, unpauseCommand, buildCommand, pullCommand, pushCommand,
];
