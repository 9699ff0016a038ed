import type { Timer } from "./timers.js";

/** The client's ping (extension): only sent to a server that announced the extension. */
export const PING_FRAME = '{"type":"__ping"}';

/** The server's announcement of the extension and its answer to each ping. */
export const PONG = "__pong";

/**
 * The liveness check of one connection (an extension; browsers cannot see WebSocket pings). Armed
 * once the server announced the extension with `__pong`; every frame received is a sign of life.
 * When nothing arrived for half the timeout it sends one `__ping`; when nothing arrived for another
 * half since that ping the connection is dead and `dead` runs (once): with timers on time, after
 * `timeoutMs` of silence. Only an unanswered ping makes a connection dead, so timers that run late
 * (a throttled background tab) cannot: a late check pings first. Wall-clock time (`Date.now`): after
 * a sleep the check pings at once and finds the connection dead half a timeout later, or at once
 * when its ping was already out before the sleep.
 */
export class Liveness {
  private timer: Timer | undefined;
  private armed = false;
  private lastReceived = 0;
  /** When the unanswered ping was sent; undefined when a frame arrived since the last ping. */
  private pingedAt: number | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {}

  /** Whether the check is on at all (a finite timeout): the client then asks for the extension. */
  get enabled(): boolean {
    return Number.isFinite(this.timeoutMs);
  }

  /** The server announced the extension: starts checking (announced again: nothing changes). */
  start(): void {
    if (!this.enabled || this.armed) {
      return;
    }
    this.armed = true;
    this.received();
    this.check();
  }

  /** A frame arrived. */
  received(): void {
    this.lastReceived = Date.now();
    this.pingedAt = undefined;
  }

  /** The connection ended: no more checks until the next `start`. */
  stop(): void {
    this.armed = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (!this.armed) {
      return;
    }
    const half = this.timeoutMs / 2;
    const now = Date.now();
    let wait: number;
    if (this.pingedAt !== undefined) {
      const unanswered = now - this.pingedAt;
      if (unanswered >= half) {
        this.stop();
        this.dead();
        return;
      }
      wait = half - unanswered;
    } else {
      const idle = now - this.lastReceived;
      if (idle >= half) {
        this.pingedAt = now;
        this.ping();
        if (!this.armed) {
          return; // the ping found the connection gone
        }
        wait = half;
      } else {
        wait = half - idle;
      }
    }
    this.timer = setTimeout(() => this.check(), Math.max(1, wait));
  }
}
