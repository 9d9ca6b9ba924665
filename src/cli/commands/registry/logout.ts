// `berth logout [SERVER]`: docker/cli's registry/logout.go. Erases the credentials under the
// registry's name and under the URL forms older clients stored them as; succeeds if any erase did.
import type { CommandSpec } from '../../framework/types.ts';
import { INDEX_SERVER, convertToHostname, credentialStore, storeContext } from '../../credentials/index.ts';

export const logoutCommand: CommandSpec = {
  name: 'logout',
  usage: '[SERVER]',
  short: 'Log out from a registry',
  long: 'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.',
  args: { max: 1 },
  async run(ctx, _flags, args) {
    const given = args[0] ?? '';
    const isDefault = given === '';
    const serverAddress = isDefault ? INDEX_SERVER : given;
    const hostname = isDefault ? serverAddress : convertToHostname(serverAddress);
    const regs = isDefault ? [serverAddress] : [serverAddress, hostname, `http://${hostname}`, `https://${hostname}`];
    ctx.stdout.write(`Removing login credentials for ${hostname}\n`);
    const errs: [string, string][] = [];
    for (const r of [...new Set(regs)]) {
      try {
        await credentialStore(storeContext(ctx), r).erase(r);
      } catch (err) {
        errs.push([r, (err as Error).message]);
      }
    }
    if (errs.length === new Set(regs).size) {
      ctx.stderr.write('WARNING: could not erase credentials:\n');
      for (const [k, v] of errs) ctx.stderr.write(`${k}: ${v}\n`);
    }
    return 0;
  },
};
