// Restart policies as Docker validates them (api/types/container ValidateRestartPolicy and
// daemon validateHostConfig) and the per-container restart decision with Docker's backoff
// (moby restartmanager): 100 ms doubling to a 1 minute cap, reset after a run of 10 s or more.
import { invalidParameter } from '../../common/index.ts';

export type RestartPolicyName = '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface RestartPolicy {
  Name: RestartPolicyName;
  MaximumRetryCount: number;
}

const BACKOFF_START_MS = 100;
const BACKOFF_MULTIPLIER = 2;
const BACKOFF_MAX_MS = 60_000;
const RESET_AFTER_MS = 10_000;

/** "" and "no" both mean: never restart. */
export function isNoRestart(p: { Name?: string }): boolean {
  return !p.Name || p.Name === 'no';
}

/**
 * Validates a HostConfig.RestartPolicy (hostile JSON) with Docker's messages and returns it
 * normalised. `autoRemove` is HostConfig.AutoRemove, which Docker forbids with any policy but "no".
 */
export function parseRestartPolicy(input: unknown, autoRemove = false): RestartPolicy {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw invalidParameter('invalid restart policy: expected an object');
  const raw = input as { Name?: unknown; MaximumRetryCount?: unknown };
  const name = raw.Name ?? '';
  if (typeof name !== 'string') throw invalidParameter('invalid restart policy: Name must be a string');
  const count = raw.MaximumRetryCount ?? 0;
  if (typeof count !== 'number' || !Number.isSafeInteger(count)) {
    throw invalidParameter('invalid restart policy: MaximumRetryCount must be an integer');
  }
  if (autoRemove && !isNoRestart({ Name: name })) {
    throw invalidParameter("can't create 'AutoRemove' container with restart policy");
  }
  switch (name) {
    case 'always':
    case 'unless-stopped':
    case 'no':
      if (count !== 0) {
        let msg = "invalid restart policy: maximum retry count can only be used with 'on-failure'";
        if (count < 0) msg += ' and cannot be negative';
        throw invalidParameter(msg);
      }
      return { Name: name, MaximumRetryCount: 0 };
    case 'on-failure':
      if (count < 0) throw invalidParameter('invalid restart policy: maximum retry count cannot be negative');
      return { Name: name, MaximumRetryCount: count };
    case '':
      // Docker < 25 stored "" as the default, with any count; accepted for compatibility.
      return { Name: '', MaximumRetryCount: count };
    default:
      throw invalidParameter(
        `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
  }
}

export interface RestartDecision {
  restart: boolean;
  /** How long to wait before restarting (only meaningful when restart is true). */
  delayMs: number;
}

/** One per container, like moby's restartManager. */
export class RestartManager {
  #policy: RestartPolicy;
  #restartCount: number;
  #timeoutMs = 0;
  #canceled = false;
  #pending: { timer: NodeJS.Timeout; resolve: (go: boolean) => void } | undefined;

  constructor(policy: RestartPolicy, restartCount = 0) {
    this.#policy = { ...policy };
    this.#restartCount = restartCount;
  }

  get policy(): RestartPolicy {
    return { ...this.#policy };
  }

  /** `docker update --restart` */
  setPolicy(policy: RestartPolicy): void {
    this.#policy = { ...policy };
  }

  /** Restarts decided so far (persisted as the container's RestartCount). */
  get restartCount(): number {
    return this.#restartCount;
  }

  get canceled(): boolean {
    return this.#canceled;
  }

  /**
   * Called when the container's process exits. A manual stop (or daemon shutdown) prevents a
   * restart for every policy: Docker gets the same effect for "always" by cancelling the manager
   * on `docker stop`.
   */
  shouldRestart(exitCode: number, hasBeenManuallyStopped: boolean, executionDurationMs: number): RestartDecision {
    if (isNoRestart(this.#policy) || this.#canceled) return { restart: false, delayMs: 0 };

    // A run of 10 s or more, whatever its outcome, resets the backoff.
    if (executionDurationMs >= RESET_AFTER_MS) this.#timeoutMs = 0;
    if (this.#timeoutMs === 0) this.#timeoutMs = BACKOFF_START_MS;
    else if (this.#timeoutMs < BACKOFF_MAX_MS) this.#timeoutMs *= BACKOFF_MULTIPLIER;
    if (this.#timeoutMs > BACKOFF_MAX_MS) this.#timeoutMs = BACKOFF_MAX_MS;

    let restart = false;
    switch (this.#policy.Name) {
      case 'always':
      case 'unless-stopped':
        restart = !hasBeenManuallyStopped;
        break;
      case 'on-failure': {
        // MaximumRetryCount 0 means no limit.
        const max = this.#policy.MaximumRetryCount;
        if (!hasBeenManuallyStopped && (max === 0 || this.#restartCount < max)) restart = exitCode !== 0;
        break;
      }
    }
    if (!restart) return { restart: false, delayMs: 0 };
    this.#restartCount++;
    return { restart: true, delayMs: this.#timeoutMs };
  }

  /**
   * Waits out the current backoff; resolves true when it is time to restart, false if cancel()
   * came first. Callers that run their own timer can ignore this.
   */
  wait(delayMs: number): Promise<boolean> {
    if (this.#canceled) return Promise.resolve(false);
    this.#pending?.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending = undefined;
        resolve(!this.#canceled);
      }, Math.max(0, delayMs));
      this.#pending = { timer, resolve };
    });
  }

  /**
   * A fresh start by the user (Docker's ResetRestartManager): forgets cancel and backoff, and
   * with `resetCount` also the restart count (docker start resets it to 0).
   */
  reset(resetCount = true): void {
    this.cancel();
    this.#canceled = false;
    this.#timeoutMs = 0;
    if (resetCount) this.#restartCount = 0;
  }

  /** No more restarts from this manager (docker stop / rm / daemon shutdown). */
  cancel(): void {
    this.#canceled = true;
    if (this.#pending) {
      clearTimeout(this.#pending.timer);
      const { resolve } = this.#pending;
      this.#pending = undefined;
      resolve(false);
    }
  }
}
