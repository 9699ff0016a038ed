import { safeParse } from "zod";
import { invalidPayload, ZocketError, type Violation } from "./errors.js";
import { isRecord, startTimer, type Timer } from "./timers.js";
import type { Schema } from "./types.js";

/** One call waiting for its reply. */
interface Call {
  readonly type: string;
  readonly reply: Schema | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: Timer | undefined;
  /** Removes the abort listener from the call's signal; a no-op without one. */
  unlisten: () => void;
}

/**
 * The calls sent and not yet answered, by rpcId: each leaves the map exactly once, by its reply,
 * its timeout, its signal's abort or a drop of the connection, so that a late reply finds nothing.
 */
export class PendingCalls {
  private readonly calls = new Map<string, Call>();
  private next = 0;

  constructor(private readonly validate: boolean) {}

  /** A new rpcId, unique for this client. */
  nextId(): string {
    return (this.next++).toString(36);
  }

  /**
   * Registers a call about to be sent, with its timeout (Infinity for none) and its abort signal:
   * an abort rejects it with the signal's reason at once and forgets it.
   */
  add(
    rpcId: string,
    type: string,
    reply: Schema | undefined,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): void {
    const call: Call = { type, reply, resolve, reject, timer: undefined, unlisten: () => {} };
    this.calls.set(rpcId, call);
    call.timer = startTimer(timeoutMs, () => {
      if (this.take(rpcId) === call) {
        reject(new ZocketError("TIMEOUT", `${type} got no reply within ${timeoutMs} ms`, [], type));
      }
    });
    if (signal !== undefined) {
      const onAbort = (): void => {
        if (this.take(rpcId) === call) {
          reject(signal.reason);
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
      call.unlisten = () => signal.removeEventListener("abort", onAbort);
    }
  }

  /** Forgets a call (it could not be sent); it is neither resolved nor rejected. */
  remove(rpcId: string): void {
    this.take(rpcId);
  }

  /** Rejects every call with the error `make` gives for its route, and forgets them. */
  failAll(make: (type: string) => unknown): void {
    for (const rpcId of [...this.calls.keys()]) {
      const call = this.take(rpcId);
      call?.reject(make(call.type));
    }
  }

  /**
   * Settles the call a `__rpc_res` message answers; a reply to no pending call (late, aborted,
   * unknown) is ignored.
   *
   * @returns an INVALID_MESSAGE error to report when the reply has no string rpcId
   */
  settle(message: Record<string, unknown>): ZocketError | undefined {
    const rpcId = message["rpcId"];
    if (typeof rpcId !== "string") {
      return new ZocketError("INVALID_MESSAGE", "Ignored a reply without a string rpcId");
    }
    const call = this.take(rpcId);
    if (call === undefined) {
      return undefined;
    }
    const error = message["error"];
    if (error !== undefined && error !== null) {
      call.reject(replyError(error, call.type));
    } else if (call.reply === undefined) {
      call.resolve(undefined);
    } else if (!this.validate) {
      call.resolve(message["payload"]);
    } else {
      try {
        const result = safeParse(call.reply, message["payload"]);
        if (result.success) {
          call.resolve(result.data);
        } else {
          call.reject(invalidPayload(`reply of ${call.type}`, result.error, call.type));
        }
      } catch (e) {
        call.reject(e);
      }
    }
    return undefined;
  }

  private take(rpcId: string): Call | undefined {
    const call = this.calls.get(rpcId);
    if (call !== undefined) {
      this.calls.delete(rpcId);
      clearTimeout(call.timer);
      call.unlisten();
    }
    return call;
  }
}

/** The error of an error reply, tolerant of missing or mistyped fields. */
export function replyError(error: unknown, route: string): ZocketError {
  const fields = isRecord(error) ? error : {};
  const code = typeof fields["code"] === "string" ? fields["code"] : "INTERNAL";
  const message = typeof fields["message"] === "string" ? fields["message"] : code;
  const rawDetails = fields["details"];
  const details: Violation[] = Array.isArray(rawDetails)
    ? rawDetails.filter(isRecord).map((d) => ({
        path: typeof d["path"] === "string" ? d["path"] : "",
        message: typeof d["message"] === "string" ? d["message"] : "",
      }))
    : [];
  return new ZocketError(code, message, details, route);
}
