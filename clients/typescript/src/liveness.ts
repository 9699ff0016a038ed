import type { Timer } from "./timers.js";

/** The client's ping (extension): only sent to a server that announced the extension. */
export const PING_FRAME = '{"type":"__ping"}';

/** The server's announcement of the extension and its answer to each ping. */
export const PONG = "__pong";

/**
 * The liveness check of one connection (an extension; browsers cannot see WebSocket pings). Armed
 * once the server announced the extension with `__pong`; every frame received is a sign of life.
 * When nothing arrived for half the timeout it sends one `__ping`; when nothing arrived for the
 * whole timeout the connection is dead and `dead` runs (once). Wall-clock time (`Date.now`), so a
 * machine that slept past the timeout finds its connection dead as soon as its timers run again.
 */
export class Liveness {
  private timer: Timer | undefined;
  private armed = false;
  private lastReceived = 0;
  private pinged = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {}

  /** Whether the check is on at all (a finite timeout): the client then asks for the extension. */
  get enabled(): boolean {
    return Number.isFinite(this.timeoutMs);
  }

  /** The server announced the extension: starts checking (again announced: nothing changes). */
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
    this.pinged = false;
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
    const idle = Date.now() - this.lastReceived;
    if (idle >= this.timeoutMs) {
      this.stop();
      this.dead();
      return;
    }
    const pingAfter = this.timeoutMs / 2;
    if (idle >= pingAfter && !this.pinged) {
      this.pinged = true;
      this.ping();
      if (!this.armed) {
        return; // the ping found the connection gone
      }
    }
    const due = this.pinged ? this.timeoutMs : pingAfter;
    this.timer = setTimeout(() => this.check(), Math.max(1, due - idle));
  }
}
