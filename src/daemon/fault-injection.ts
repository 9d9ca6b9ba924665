// Test-only crash points. BERTH_TEST_CRASH_AFTER=<point> makes the daemon SIGKILL itself right
// after that step, so integration tests can reach the states only a crash leaves behind (e.g.
// `runtime-create`: a container created by the runtime but never started). Unset, it does nothing.
export function crashPoint(point: string): void {
  if (process.env.BERTH_TEST_CRASH_AFTER === point) process.kill(process.pid, 'SIGKILL');
}
