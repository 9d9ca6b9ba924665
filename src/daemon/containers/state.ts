// A container's state and its transitions (moby container/state.go): every change goes through
// one method that keeps Status, Running, Paused, Restarting, Dead, Pid, ExitCode and the times
// consistent, and wakes whoever waits for an exit or the removal. The fields live in the
// record's State object, so saving the record saves them.
import { conflict, formatRfc3339Nano, nowNs } from '../../common/index.ts';
import type { ContainerState } from './record.ts';

export interface ExitStatus {
  exitCode: number;
  /** RFC 3339 time of the exit; now when absent. */
  exitedAt?: string;
  /** Whether the kernel OOM-killed it; left as it was when absent. */
  oomKilled?: boolean;
}

/** What a wait resolves with when the client went away first. */
export class WaitAborted extends Error {
  constructor() {
    super('client went away');
  }
}

export class State {
  readonly #id: string;
  readonly #s: ContainerState;
  readonly #exitWaiters = new Set<(code: number) => void>();
  readonly #removeWaiters = new Set<() => void>();
  #removed = false;

  /** `fields` is the record's State object: transitions change it in place. */
  constructor(id: string, fields: ContainerState) {
    this.#id = id;
    this.#s = fields;
  }

  /** The persisted fields, for reading. */
  get fields(): Readonly<ContainerState> {
    return this.#s;
  }

  get status() {
    return this.#s.Status;
  }

  get running(): boolean {
    return this.#s.Running;
  }

  get paused(): boolean {
    return this.#s.Paused;
  }

  get restarting(): boolean {
    return this.#s.Restarting;
  }

  get pid(): number {
    return this.#s.Pid;
  }

  get exitCode(): number {
    return this.#s.ExitCode;
  }

  get removing(): boolean {
    return this.#s.Status === 'removing';
  }

  /** Marked for removal (in progress, or a removal that failed half-way). */
  get removingOrDead(): boolean {
    return this.removing || this.#s.Dead;
  }

  get removed(): boolean {
    return this.#removed;
  }

  /** Running and not waiting to restart: its process exists. */
  get live(): boolean {
    return this.#s.Running && !this.#s.Restarting;
  }

  /** The init process runs; `initial` is false when a running container is re-adopted. */
  setRunning(pid: number, initial = true): void {
    Object.assign(this.#s, { Status: 'running', Running: true, Paused: false, Restarting: false, Dead: false, Pid: pid, Error: '' });
    if (initial) Object.assign(this.#s, { OOMKilled: false, ExitCode: 0, StartedAt: formatRfc3339Nano(nowNs()) });
  }

  /** The init process exited for good (no restart follows). */
  setStopped(exit: ExitStatus): void {
    this.#setExit(exit);
    this.#s.Status = 'exited';
    this.#s.Restarting = false;
    this.#notifyExit(exit.exitCode);
  }

  /** The init process exited and the restart policy brings it back after a backoff. */
  setRestarting(exit: ExitStatus): void {
    this.#setExit(exit);
    this.#s.Status = 'restarting';
    this.#s.Restarting = true;
    this.#notifyExit(exit.exitCode);
  }

  /** A pending restart was cancelled (stop, rm, a failed restart): the container stays exited. */
  setRestartCanceled(): void {
    this.#s.Restarting = false;
    this.#s.Status = 'exited';
  }

  /**
   * Start failed. Docker's status: "created" if it never ran (or the network refused it before
   * anything ran), else "exited"; a non-zero code marks it exited with a finish time.
   */
  setStartFailed(exitCode: number, error: string, opts: { everStarted: boolean; beforeRun: boolean }): void {
    Object.assign(this.#s, { Running: false, Pid: 0, ExitCode: exitCode, Error: error });
    this.#s.Status = opts.everStarted ? 'exited' : 'created';
    if (exitCode !== 0) {
      this.#s.Status = 'exited';
      this.#s.FinishedAt = formatRfc3339Nano(nowNs());
    }
    if (opts.beforeRun && !opts.everStarted) this.#s.Status = 'created';
  }

  setPaused(): void {
    this.#s.Paused = true;
    this.#s.Status = 'paused';
  }

  setUnpaused(): void {
    this.#s.Paused = false;
    this.#s.Status = 'running';
  }

  /** Throws Docker's conflict when a removal is already under way. */
  setRemovalInProgress(): void {
    if (this.removing) throw conflict(`removal of container ${this.#id} is already in progress`);
    this.#s.Status = 'removing';
  }

  /** The removal failed half-way: only another removal may touch it. */
  setDead(): void {
    this.#s.Status = 'dead';
    this.#s.Dead = true;
  }

  /** Gone from the store: removal waiters wake, and exit waiters with the last exit code. */
  setRemoved(): void {
    this.#removed = true;
    for (const w of [...this.#removeWaiters]) w();
    this.#removeWaiters.clear();
    this.#notifyExit(this.#s.ExitCode);
  }

  /** Resolves with the code of the next exit; rejects with WaitAborted if `signal` aborts first. */
  nextExit(signal?: AbortSignal): Promise<number> {
    return this.#waitOn(this.#exitWaiters, signal) as Promise<number>;
  }

  /** Resolves once the container is removed; rejects with WaitAborted if `signal` aborts first. */
  waitRemoved(signal?: AbortSignal): Promise<void> {
    if (this.#removed) return Promise.resolve();
    return this.#waitOn(this.#removeWaiters as Set<(v: unknown) => void>, signal) as Promise<void>;
  }

  #waitOn(set: Set<(v: never) => void>, signal?: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new WaitAborted());
      const onAbort = () => {
        set.delete(waiter);
        reject(new WaitAborted());
      };
      const waiter = (v: never) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      set.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #setExit(exit: ExitStatus): void {
    Object.assign(this.#s, {
      Running: false, Paused: false, Pid: 0, ExitCode: exit.exitCode, FinishedAt: exit.exitedAt || formatRfc3339Nano(nowNs()),
    });
    if (exit.oomKilled !== undefined) this.#s.OOMKilled = exit.oomKilled;
  }

  #notifyExit(code: number): void {
    const waiters = [...this.#exitWaiters];
    this.#exitWaiters.clear();
    for (const w of waiters) w(code);
  }
}
