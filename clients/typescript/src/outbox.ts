import { ZocketError } from "./errors.js";
import type { WhileDisconnected } from "./types.js";

/**
 * What fire-and-forget sends do while the client is not connected (`whileDisconnected`): fail, or
 * wait in a bounded buffer that is flushed, in order, once the connection opens.
 */
export class Outbox {
  private readonly buffer: string[] = [];
  private readonly max: number;
  private readonly dropOldest: boolean;
  private readonly fails: boolean;

  /** @throws RangeError if the buffer size is not an integer >= 0 */
  constructor(policy: WhileDisconnected) {
    this.fails = policy === "fail";
    this.max = policy === "fail" ? 0 : policy.buffer;
    if (policy !== "fail" && !(Number.isInteger(this.max) && this.max >= 0)) {
      throw new RangeError(`whileDisconnected.buffer must be an integer >= 0: ${this.max}`);
    }
    this.dropOldest = policy !== "fail" && policy.overflow === "dropOldest";
  }

  /**
   * Keeps a frame that could not be sent.
   *
   * @throws ZocketError DISCONNECTED when the policy is "fail" or the buffer is full without dropOldest
   */
  keep(text: string, route: string): void {
    if (this.fails) {
      throw new ZocketError("DISCONNECTED", `Not connected; ${route} not sent`, [], route);
    }
    if (this.buffer.length >= this.max) {
      if (!this.dropOldest || this.max === 0) {
        throw new ZocketError("DISCONNECTED", `Not connected and the send buffer is full; ${route} not sent`, [], route);
      }
      this.buffer.shift();
    }
    this.buffer.push(text);
  }

  /** Writes the kept frames in order while `write` accepts them; the rest stay. */
  flush(write: (text: string) => boolean): void {
    while (this.buffer.length > 0) {
      if (!write(this.buffer[0]!)) {
        return;
      }
      this.buffer.shift();
    }
  }

  clear(): void {
    this.buffer.length = 0;
  }
}
