// --sig-proxy: signals berth receives go to the container (POST /containers/ID/kill?signal=),
// as docker's ForwardAllSignals. SIGUSR1 is Node's debugger signal and is left alone.
import type { ApiClient } from '../framework/types.ts';

const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGCONT'];

/** Starts forwarding; returns the function that stops it. */
export function forwardSignals(client: ApiClient, id: string, signals = PROXIED_SIGNALS): () => void {
  const handlers = signals.map((sig) => {
    const h = () => {
      // docker sends the name without "SIG"
      client.call('POST', `/containers/${encodeURIComponent(id)}/kill`, { query: { signal: sig.slice(3) } }).then((r) => r.body.resume(), () => {});
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  };
}
