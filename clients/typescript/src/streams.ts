import { safeParse } from "zod";
import { invalidPayload, ZocketError } from "./errors.js";
import { replyError } from "./pending.js";
import { startTimer, type Timer } from "./timers.js";
import type { Schema } from "./types.js";

/** The `type` of a stream's item (extension). */
export const STREAM_ITEM = "__stream_item";
/** The `type` of a stream's end (extension). */
export const STREAM_END = "__stream_end";
/** The `type` of the client's grant of credits. */
const STREAM_CREDIT = "__stream_credit";
/** The `type` of the client's cancellation. */
const STREAM_CANCEL = "__stream_cancel";

/**
 * Items granted to the server and not yet consumed (in flight or buffered), per stream: the
 * iterator grants more as the loop pulls, once half of the window was consumed.
 */
export const STREAM_WINDOW = 16;

/** What a stream needs of the client. */
export interface StreamHost {
  /** Sends a frame on the open connection; false when there is none. */
  write(text: string): boolean;
  /** A new rpcId. */
  nextId(): string;
}

/** One stream under way: its buffered items, its waiting `next()` and its credit. */
class Stream {
  private readonly buffer: unknown[] = [];
  private waiting: { resolve: (r: IteratorResult<unknown>) => void; reject: (e: unknown) => void } | undefined;
  /** Items granted and not yet arrived. */
  private granted = 0;
  private ended: { error: unknown } | { error?: undefined; done: true } | undefined;
  timer: Timer | undefined;
  unlisten: () => void = () => {};

  constructor(
    readonly rpcId: string,
    readonly type: string,
    private readonly item: Schema | undefined,
    private readonly validate: boolean,
    private readonly host: StreamHost,
    private readonly forget: (stream: Stream) => void,
  ) {}

  /** Grants credit up to the window, once half of it was consumed. */
  grant(): void {
    if (this.ended !== undefined) {
      return;
    }
    const outstanding = this.granted + this.buffer.length;
    if (outstanding > STREAM_WINDOW / 2) {
      return;
    }
    const n = STREAM_WINDOW - outstanding;
    this.granted += n;
    this.host.write(JSON.stringify({ type: STREAM_CREDIT, rpcId: this.rpcId, payload: n }));
  }

  accepted(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** An item arrived: validated, then handed to the waiting `next()` or buffered. */
  received(payload: unknown): void {
    if (this.ended !== undefined) {
      return;
    }
    this.accepted();
    if (this.granted === 0) {
      this.fail(new ZocketError("INVALID_MESSAGE", `The server sent an item of ${this.type} beyond its credit`, [], this.type), true);
      return;
    }
    this.granted -= 1;
    let value = payload;
    if (this.validate && this.item !== undefined) {
      const result = safeParse(this.item, payload);
      if (!result.success) {
        this.fail(invalidPayload(`item of ${this.type}`, result.error, this.type), true);
        return;
      }
      value = result.data;
    }
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting.resolve({ value, done: false });
      this.grant();
    } else {
      this.buffer.push(value);
    }
  }

  /** The server ended the stream. */
  complete(): void {
    this.end({ done: true });
  }

  /** The stream failed; `tellServer` when the server may still be sending. */
  fail(error: unknown, tellServer: boolean): void {
    if (this.ended === undefined && tellServer) {
      this.host.write(JSON.stringify({ type: STREAM_CANCEL, rpcId: this.rpcId }));
    }
    this.end({ error });
  }

  /** The loop left early: the server is told to stop. */
  cancel(): void {
    if (this.ended === undefined) {
      this.host.write(JSON.stringify({ type: STREAM_CANCEL, rpcId: this.rpcId }));
      this.buffer.length = 0;
      this.end({ done: true });
    }
  }

  private end(how: { error: unknown } | { done: true }): void {
    if (this.ended !== undefined) {
      return;
    }
    this.ended = how;
    this.accepted();
    this.unlisten();
    this.forget(this);
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting !== undefined) {
      if ("error" in how && how.error !== undefined) {
        waiting.reject(how.error);
      } else {
        waiting.resolve({ value: undefined, done: true });
      }
    }
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift();
      this.grant();
      return Promise.resolve({ value, done: false });
    }
    const ended = this.ended;
    if (ended !== undefined) {
      return "error" in ended && ended.error !== undefined
        ? Promise.reject(ended.error)
        : Promise.resolve({ value: undefined, done: true });
    }
    if (this.waiting !== undefined) {
      return Promise.reject(new TypeError(`next() of stream ${this.type} called while another next() waits`));
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
}

/**
 * The streams of a client (extension, see the Streams section of docs/protocol.md), by rpcId: each
 * is an async iterator that grants the server credits as the loop pulls, at most `STREAM_WINDOW`
 * items ahead, and ends once: by the server's end, an error, the loop leaving (a cancel sent to the
 * server), the signal's abort, or the connection's drop (`DISCONNECTED`: streams are not resumed).
 */
export class Streams {
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly validate: boolean,
    private readonly host: StreamHost,
  ) {}

  /**
   * An `AsyncIterable` whose every iteration starts the stream: `frame(rpcId)` is its start, sent
   * when the iteration begins (it throws `DISCONNECTED` when not connected).
   */
  iterable(
    type: string,
    item: Schema | undefined,
    frame: (rpcId: string) => string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    isOpen: () => boolean,
    disconnected: () => unknown,
  ): AsyncIterable<unknown> {
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<unknown> => {
        if (signal?.aborted) {
          const reason: unknown = signal.reason;
          return { next: () => Promise.reject(reason) };
        }
        const rpcId = this.host.nextId();
        const text = frame(rpcId);
        if (!isOpen()) {
          const error = disconnected();
          return { next: () => Promise.reject(error) };
        }
        const stream = new Stream(rpcId, type, item, this.validate, this.host, (s) => {
          if (this.streams.get(s.rpcId) === s) {
            this.streams.delete(s.rpcId);
          }
        });
        this.streams.set(rpcId, stream);
        stream.timer = startTimer(timeoutMs, () =>
          stream.fail(new ZocketError("TIMEOUT", `${type} was not answered within ${timeoutMs} ms`, [], type), true),
        );
        if (signal !== undefined) {
          const onAbort = (): void => stream.fail(signal.reason, true);
          signal.addEventListener("abort", onAbort, { once: true });
          stream.unlisten = () => signal.removeEventListener("abort", onAbort);
        }
        if (!this.host.write(text)) {
          stream.fail(disconnected(), false);
        } else {
          stream.grant();
        }
        return {
          next: () => stream.next(),
          return: (value?: unknown) => {
            stream.cancel();
            return Promise.resolve({ value, done: true });
          },
        };
      },
    };
  }

  /**
   * Takes a frame of a stream: its reply (`__rpc_res`), an item or its end.
   *
   * @returns false when the frame names no stream of this client (a call's reply, or too late)
   */
  receive(type: string, message: Record<string, unknown>): boolean {
    const rpcId = message["rpcId"];
    const stream = typeof rpcId === "string" ? this.streams.get(rpcId) : undefined;
    if (stream === undefined) {
      return type !== "__rpc_res"; // an item or end of a stream that ended: ignored
    }
    const error = message["error"];
    if (type === STREAM_ITEM) {
      stream.received(message["payload"]);
    } else if (error !== undefined && error !== null) {
      stream.fail(replyError(error, stream.type), false);
    } else if (type === STREAM_END) {
      stream.complete();
    } else {
      stream.accepted();
    }
    return true;
  }

  /** Fails every stream: the connection dropped or the client closed. */
  failAll(make: (type: string) => unknown): void {
    for (const stream of [...this.streams.values()]) {
      stream.fail(make(stream.type), false);
    }
  }
}
