// The in-process guard between pushes and the garbage collector: every write that makes a blob
// reachable (blob commit, mount, manifest put) holds the gate shared; a collection holds it
// exclusive from the start of its mark to the end of its sweep. Writes that arrive meanwhile
// wait for the collection, so the mark never misses a manifest written during it.
export class GcGate {
  private shared = 0;
  private exclusive = false;
  private waiters: Array<() => void> = [];

  async withShared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.wait();
    this.shared++;
    try {
      return await fn();
    } finally {
      this.shared--;
      this.wake();
    }
  }

  async withExclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.wait();
    // Claim first so that no new shared holder starts; then drain the running ones.
    this.exclusive = true;
    try {
      while (this.shared > 0) await this.wait();
      return await fn();
    } finally {
      this.exclusive = false;
      this.wake();
    }
  }

  private wait(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
