// `berth compose cp`: `berth cp` with SERVICE:PATH in place of CONTAINER:PATH. Copying into a
// service reaches each of its containers (or the --index one); copying out reads the first.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { splitCpArg } from '../../../archive/index.ts';
import { copyFromContainer, copyToContainer, type CpConfig } from '../container/cp.ts';
import { listProjectContainers } from '../../../compose/index.ts';
import { checkServices, composeRun, indexFlag, projectOrName, serviceContainer } from './shared.ts';

export const cpCommand: CommandSpec = {
  name: 'cp',
  usage: '[OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n\tdocker compose cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH',
  short: 'Copy files/folders between a service container and the local filesystem',
  flags: [
    { name: 'all', type: 'bool', usage: 'Include containers created by the run command', hidden: true },
    { name: 'archive', short: 'a', type: 'bool', usage: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', type: 'bool', usage: 'Always follow symbol link in SRC_PATH' },
    indexFlag('Index of the container if service has multiple replicas'),
  ],
  args: { min: 2, max: 2 },
  run: composeRun(async (ctx, flags, args) => {
    const [source, destination] = args as [string, string];
    const [srcService, sourcePath] = splitCpArg(source);
    const [dstService, destPath] = splitCpArg(destination);
    if (srcService && dstService) throw new StatusError(1, 'copying between services is not supported');
    if (!srcService && !dstService) throw new StatusError(1, 'unknown copy direction');
    const service = srcService || dstService;
    const ref = await projectOrName(ctx);
    checkServices(ref.project, [service]);
    const index = flags.int('index');
    let ids: string[];
    if (index > 0) ids = [(await serviceContainer(ctx, ref.name, service, index, true)).Id];
    else {
      const list = await listProjectContainers(ctx.client, ref.name, { all: true, services: [service], oneOff: flags.bool('all') ? 'include' : 'exclude' });
      if (!list.length) throw new StatusError(1, `no container found for service ${JSON.stringify(service)}`);
      ids = (srcService ? list.slice(0, 1) : list).map((c) => c.Id);
    }
    for (const id of ids) {
      const cfg: CpConfig = { followLink: flags.bool('follow-link'), copyUIDGID: flags.bool('archive'), quiet: true, sourcePath, destPath, container: id };
      await (srcService ? copyFromContainer(ctx, cfg) : copyToContainer(ctx, cfg));
    }
    return 0;
  }),
};
