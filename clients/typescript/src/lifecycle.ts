import { backoffDelay, checkDelays, DEFAULT_RECONNECT } from "./backoff.js";
import { ZocketError } from "./errors.js";
import { Listeners } from "./listeners.js";
import type { ClientState, OpenInfo, ReconnectOptions } from "./types.js";

/** Reconnect settings with every default filled in, or undefined for no reconnect. */
export interface Reconnect {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
}

/**
 * The `reconnect` option with its defaults, or undefined for `false`.
 *
 * @throws RangeError on delays that are not positive and finite, or maxAttempts not an integer >= 1
 */
export function reconnectSettings(option: ReconnectOptions | false | undefined): Reconnect | undefined {
  if (option === false) {
    return undefined;
  }
  const given = Object.fromEntries(Object.entries(option ?? {}).filter(([, v]) => v !== undefined));
  const reconnect: Reconnect = { ...DEFAULT_RECONNECT, ...given };
  checkDelays(reconnect.initialDelayMs, reconnect.maxDelayMs);
  if (!(reconnect.maxAttempts >= 1 && (Number.isInteger(reconnect.maxAttempts) || reconnect.maxAttempts === Infinity))) {
    throw new RangeError(`reconnect.maxAttempts must be an integer >= 1 or Infinity: ${reconnect.maxAttempts}`);
  }
  return reconnect;
}

/** What the lifecycle asks of the client. */
export interface LifecycleHooks {
  /** Starts one connection attempt; it ends in `opened`, `dropped` or `attemptFailed`. */
  attempt(): void;
  /** Ends whatever attempt or connection there is, and everything tied to it (state is already set). */
  stop(error: ZocketError): void;
}

/** A DISCONNECTED error. */
export function disconnected(message: string, route?: string): ZocketError {
  return new ZocketError("DISCONNECTED", message, [], route);
}

/**
 * The client's state and its transitions: `idle` (not started, or stopped by a refused handshake),
 * `connecting`, `open`, `reconnecting`, `closed` (for good); the reconnect backoff, the listeners of
 * state changes, opens and closes, and the promises of `opened()`.
 */
export class Lifecycle {
  private current: ClientState;
  private failedAttempts = 0;
  private everOpened = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closedError: ZocketError | undefined;
  private lastRecovered = false;
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  readonly stateListeners = new Listeners<[ClientState, ClientState]>();
  readonly openListeners = new Listeners<[OpenInfo]>();
  readonly closeListeners = new Listeners<[number, string]>();

  constructor(
    initial: ClientState,
    private readonly reconnect: Reconnect | undefined,
    private readonly retryFirstConnect: boolean,
    /** The server's URL without query, for messages. */
    private readonly where: string,
    private readonly report: (error: unknown) => void,
    private readonly hooks: LifecycleHooks,
  ) {
    this.current = initial;
  }

  get state(): ClientState {
    return this.current;
  }

  /** Whether the open connection is a recovered session. */
  get recovered(): boolean {
    return this.current === "open" && this.lastRecovered;
  }

  /** Moves to `next` and tells the state listeners, unless already there. */
  private set(next: ClientState): void {
    const previous = this.current;
    if (previous === next) {
      return;
    }
    this.current = next;
    this.stateListeners.run(this.report, next, previous);
  }

  /** `connect()`: starts connecting from `idle`; resolves once open. */
  connect(): Promise<void> {
    if (this.current === "idle") {
      this.failedAttempts = 0;
      const promise = this.opened();
      this.set(this.everOpened ? "reconnecting" : "connecting");
      this.hooks.attempt();
      return promise;
    }
    return this.opened();
  }

  opened(): Promise<void> {
    if (this.current === "open") {
      return Promise.resolve();
    }
    if (this.current === "closed") {
      return Promise.reject(this.closedError ?? disconnected("Client is closed"));
    }
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /**
   * The connection opened (and, when resuming, the server said whether it recovered): open
   * listeners run, then `flush` sends what waited, then `opened()` resolves.
   */
  open(recovered: boolean, flush: () => void): void {
    this.failedAttempts = 0;
    this.everOpened = true;
    this.lastRecovered = recovered;
    this.set("open");
    this.openListeners.run(this.report, Object.freeze({ recovered }));
    if (this.current === "open") {
      flush();
    }
    if (this.current === "open") {
      this.settleWaiters();
    }
  }

  /** The open connection closed with `code`. */
  dropped(code: number, reason: string, reconnects: boolean): void {
    this.set(this.reconnect && reconnects ? "reconnecting" : "closed");
    this.closeListeners.run(this.report, code, reason);
    if (this.current === "reconnecting") {
      this.scheduleRetry();
    } else if (this.current === "closed" && this.closedError === undefined) {
      this.finish(disconnected(`Connection to ${this.where} closed with ${code}${reason ? ` (${reason})` : ""}`));
    }
  }

  /** An attempt failed before opening. */
  attemptFailed(why: string): void {
    if (this.current === "closed" || this.current === "idle") {
      return;
    }
    const error = disconnected(`Could not connect to ${this.where}: ${why}`);
    if (this.reconnect && (this.everOpened || this.retryFirstConnect)) {
      this.report(error);
      this.scheduleRetry();
    } else {
      this.set("closed");
      this.finish(error);
      this.report(error);
    }
  }

  /** The server refused the handshake (401/403): stop trying until `connect()`. */
  refused(error: ZocketError): void {
    if (this.current === "closed" || this.current === "idle") {
      return;
    }
    this.set("idle");
    this.settleWaiters(error);
    this.report(error);
  }

  /** `close()`: closes for good. */
  close(): void {
    if (this.current === "closed") {
      return;
    }
    const wasOpen = this.current === "open";
    this.set("closed");
    this.finish(disconnected("Client closed"));
    if (wasOpen) {
      this.closeListeners.run(this.report, 1000, "");
    }
  }

  private scheduleRetry(): void {
    const reconnect = this.reconnect;
    if (this.current === "closed" || !reconnect) {
      return;
    }
    this.failedAttempts += 1;
    if (this.failedAttempts > reconnect.maxAttempts) {
      this.set("closed");
      const error = disconnected(`Gave up reconnecting to ${this.where} after ${reconnect.maxAttempts} failed attempts`);
      this.finish(error);
      this.report(error);
      return;
    }
    const delay = backoffDelay(this.failedAttempts, Math.random(), reconnect);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current === "reconnecting" || this.current === "connecting") {
        this.hooks.attempt();
      }
    }, delay);
  }

  /** Ends the client for good (state is already "closed"). */
  private finish(error: ZocketError): void {
    this.closedError = error;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.hooks.stop(error);
    this.settleWaiters(error);
  }

  private settleWaiters(error?: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (error === undefined) {
        waiter.resolve();
      } else {
        waiter.reject(error);
      }
    }
  }
}
