import { isRecord, startTimer, type Timer } from "./timers.js";
import { recoveryUrl } from "./url.js";

/**
 * Connection-state recovery (an extension): the session token of the server's `__session` message
 * and the last position received, sent back on a reconnect; and, on a reconnect that resumes, the
 * wait for `__session` before the connection is reported open.
 */
export class Recovery {
  /** The session token of the last `__session` message; sent back on a reconnect. */
  private session: string | undefined;
  /** The last position: the `pos` of the last event, or of the last `__session` message. */
  private lastPos: string | undefined;
  private timer: Timer | undefined;
  /** Whether the open socket waits for `__session` before the connection is reported open. */
  awaiting = false;

  constructor(
    readonly enabled: boolean,
    private readonly timeoutMs: number,
  ) {}

  /** The URL of an attempt: with the recovery parameters when enabled. */
  url(target: string): string {
    return this.enabled ? recoveryUrl(target, this.session, this.session === undefined ? undefined : this.lastPos) : target;
  }

  /**
   * On a socket's open: true when the attempt resumes a session, so that it must wait for
   * `__session` (at most the recovery timeout, then `onTimeout`) before reporting the connection.
   */
  awaitSession(onTimeout: () => void): boolean {
    if (!this.enabled || this.session === undefined) {
      return false;
    }
    this.awaiting = true;
    this.timer = startTimer(this.timeoutMs, () => {
      if (this.awaiting) {
        this.endWait();
        this.forget();
        onTimeout();
      }
    });
    return true;
  }

  endWait(): void {
    this.awaiting = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Keeps the token and position of a `__session` message's payload. */
  store(payload: unknown): void {
    if (!this.enabled || !isRecord(payload)) {
      return;
    }
    const token = payload["session"];
    this.session = typeof token === "string" ? token : undefined;
    const pos = payload["pos"];
    this.lastPos = typeof pos === "string" ? pos : undefined;
  }

  /** Keeps the position of an event. */
  received(message: Record<string, unknown>): void {
    if (this.enabled && typeof message["pos"] === "string") {
      this.lastPos = message["pos"];
    }
  }

  /** Drops the session: the next connection starts a fresh one. */
  forget(): void {
    this.session = this.lastPos = undefined;
  }
}
