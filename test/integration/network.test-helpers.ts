// Helpers for the network integration tests: an httpd container, HTTP fetches with retries,
// and a UDP echo server run inside a container's network namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Daemon } from './harness.ts';

/** The shell command that serves "hello from NAME" with busybox httpd on port 80. */
export function httpdCmd(body: string): string[] {
  return ['sh', '-c', `mkdir -p /www && echo '${body}' > /www/index.html && exec httpd -f -p 80 -h /www`];
}

/** GET with retries (httpd needs a moment to listen); resolves to the body or throws the last error. */
export async function fetchText(url: string, attempts = 30): Promise<string> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return await r.text();
    } catch (err) {
      last = err;
      await sleep(100);
    }
  }
  throw last;
}

/** One GET that must fail (no retries beyond a short timeout). */
export async function fetchFails(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1500) });
    return false;
  } catch {
    return true;
  }
}

export async function pidOf(d: Daemon, name: string): Promise<number> {
  const r = await d.docker(['inspect', '-f', '{{.State.Pid}}', name]);
  return Number(r.stdout.trim());
}

export async function ipOf(d: Daemon, name: string, network?: string): Promise<string> {
  const fmt = network ? `{{(index .NetworkSettings.Networks "${network}").IPAddress}}` : '{{.NetworkSettings.IPAddress}}';
  return (await d.docker(['inspect', '-f', fmt, name])).stdout.trim();
}

/** A UDP echo server listening on 0.0.0.0:port inside the network namespace of `pid`. */
export function udpEchoInNetns(pid: number, port: number): ChildProcess {
  const code = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(Buffer.concat([Buffer.from('echo:'),m]),r.port,r.address));s.bind(${port},()=>console.log('ready'));`;
  return spawn('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

export async function udpAsk(host: string, port: number, text: string, attempts = 20): Promise<string | undefined> {
  for (let i = 0; i < attempts; i++) {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const reply = await new Promise<string | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), 300);
      sock.on('message', (m) => {
        clearTimeout(t);
        resolve(m.toString());
      });
      sock.send(text, port, host);
    });
    sock.close();
    if (reply !== undefined) return reply;
  }
  return undefined;
}

