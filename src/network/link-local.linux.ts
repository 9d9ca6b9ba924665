// Link-local addresses of an endpoint (EndpointSettings.IPAMConfig.LinkLocalIPs, `--link-local-ip`):
// added to the container's interface as host routes, as libnetwork does (osl setInterfaceLinkLocalIPs).
import { isIP } from 'node:net';
import { runTool } from './exec.linux.ts';

export async function addLinkLocalAddresses(pid: number, ifname: string, ips: readonly string[]): Promise<void> {
  if (!ips.length) return;
  const cmds = ips.map((ip) => `addr add ${ip}/${isIP(ip) === 6 ? 128 : 32} dev ${ifname}`);
  await runTool('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-batch', '-'], cmds.join('\n') + '\n');
}
