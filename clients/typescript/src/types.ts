import type { z } from "zod";

/** Any zod 4 schema (classic or mini). */
export type Schema = z.core.$ZodType;

/** A fire-and-forget route: the client sends, the server answers nothing. */
export interface SendRouteDef {
  readonly kind: "send";
  /** The payload's schema; absent when the route takes no payload. */
  readonly payload?: Schema;
}

/** A call: the client sends with an rpcId and waits for the server's reply. */
export interface CallRouteDef {
  readonly kind: "call";
  /** The payload's schema; absent when the route takes no payload. */
  readonly payload?: Schema;
  /** The reply's schema; absent when the call completes with no value. */
  readonly reply?: Schema;
  /** The route's own default timeout in milliseconds (overrides the client's `callTimeoutMs`). */
  readonly timeoutMs?: number;
}

/**
 * A stream (extension): the client sends with an rpcId and receives items, under credits, then an
 * end or an error. Generated from a Java method returning `Flow.Publisher<T>`.
 */
export interface StreamRouteDef {
  readonly kind: "stream";
  /** The payload's schema; absent when the route takes no payload. */
  readonly payload?: Schema;
  /** The schema of each item. */
  readonly item: Schema;
  /** How long the server may take to answer the stream's start, in ms (overrides `callTimeoutMs`). */
  readonly timeoutMs?: number;
}

/** A route definition: an object with a `kind` key. */
export type RouteDef = SendRouteDef | CallRouteDef | StreamRouteDef;

/** Routes nested by namespace segments: each key is a route definition or a namespace. */
export interface RouteTree {
  readonly [name: string]: RouteDef | RouteTree;
}

/**
 * An event definition: `{}` (no payload) or `{ payload: schema }`; with `ack: true` an
 * acknowledged event (an extension), whose one listener returns the answer (`reply`'s input type,
 * or nothing without `reply`), or a promise of it.
 */
export interface EventDef {
  readonly payload?: Schema;
  /** Whether the server waits for the client's answer (an event method returning `CompletableFuture<T>`). */
  readonly ack?: true;
  /** The answer's schema, for an acknowledged event; absent when the answer is empty. */
  readonly reply?: Schema;
}

/** Events nested by namespace segments: each key is an event definition or a namespace. */
export interface EventTree {
  readonly [name: string]: EventDef | EventTree;
}

/** The shape of a generated contract module's `contract` constant. */
export interface Contract {
  /** The handshake headers' schema; absent when the server declares none. */
  readonly headers?: Schema;
  /** Client-to-server routes. */
  readonly routes: RouteTree;
  /** Server-to-client events. */
  readonly events: EventTree;
}

/** Removes a listener; calling it again does nothing. */
export type Unsubscribe = () => void;

/** Options of one call. */
export interface CallOptions {
  /**
   * This call's timeout in milliseconds; overrides the route's `timeoutMs` and the client's
   * `callTimeoutMs`. `Infinity` waits forever.
   */
  readonly timeoutMs?: number;
  /**
   * Cancels the call: once aborted, the call's promise rejects at once with `signal.reason` (a
   * `DOMException` named `AbortError` unless `abort()` was given another reason), as `fetch` does,
   * and a reply that comes later is ignored. The server is not told; the handler still runs. An
   * already aborted signal rejects without sending.
   */
  readonly signal?: AbortSignal;
}

/** Options of one stream. */
export interface StreamOptions {
  /**
   * How long the server may take to answer the stream's start, in milliseconds; overrides the
   * route's `timeoutMs` and the client's `callTimeoutMs`. Items may then take as long as they take.
   */
  readonly timeoutMs?: number;
  /**
   * Cancels the stream: once aborted, the server is told to stop (its publisher is cancelled) and
   * the iteration rejects with `signal.reason`. An already aborted signal starts nothing.
   */
  readonly signal?: AbortSignal;
}

/** The items of a stream: the item schema's output type. */
export type ItemOf<R extends StreamRouteDef> = z.output<R["item"]>;

/**
 * The function `client.send.<route>` of a stream: returns an `AsyncIterable` of its items, for
 * `for await`. Each iteration starts the stream anew; leaving the loop (`break`, `return`, a throw)
 * cancels it on the server.
 */
export type StreamFunction<R extends StreamRouteDef> = R extends { readonly payload: infer P extends Schema }
  ? (payload: z.input<P>, options?: StreamOptions) => AsyncIterable<ItemOf<R>>
  : (options?: StreamOptions) => AsyncIterable<ItemOf<R>>;

/** The function `client.send.<route>` of a fire-and-forget route. */
export type SendFunction<R extends SendRouteDef> = R extends { readonly payload: infer P extends Schema }
  ? (payload: z.input<P>) => void
  : () => void;

/** What a call's promise resolves with: the reply's output type, or void without a reply. */
export type ReplyOf<R extends CallRouteDef> = R extends { readonly reply: infer S extends Schema }
  ? z.output<S>
  : void;

/** The function `client.send.<route>` of a call. */
export type CallFunction<R extends CallRouteDef> = R extends { readonly payload: infer P extends Schema }
  ? (payload: z.input<P>, options?: CallOptions) => Promise<ReplyOf<R>>
  : (options?: CallOptions) => Promise<ReplyOf<R>>;

/** The function of one route definition. */
export type RouteFunction<R extends RouteDef> = R extends StreamRouteDef
  ? StreamFunction<R>
  : R extends CallRouteDef
  ? CallFunction<R>
  : R extends SendRouteDef
    ? SendFunction<R>
    : never;

/** `client.send`: the route tree with every route definition replaced by its function. */
export type SendTree<T> = {
  readonly [K in keyof T]: T[K] extends RouteDef
    ? RouteFunction<T[K]>
    : T[K] extends RouteTree
      ? SendTree<T[K]>
      : never;
};

/** What the listener of an acknowledged event answers: the input type of `reply`, or void without one. */
export type AnswerOf<E> = E extends { readonly reply: infer S extends Schema } ? z.input<S> : void;

/**
 * What a listener returns: for an acknowledged event its answer or a promise of it, otherwise
 * nothing.
 */
export type ListenerResult<E> = E extends { readonly ack: true } ? AnswerOf<E> | PromiseLike<AnswerOf<E>> : void;

/** A listener of an event definition: takes the payload's output type, or nothing. */
export type ListenerOf<E> = E extends { readonly payload: infer P extends Schema }
  ? (payload: z.output<P>) => ListenerResult<E>
  : () => ListenerResult<E>;

type IsEmpty<T> = [keyof T] extends [never] ? true : false;

/** `client.on`: the event tree with every event definition replaced by its subscribe function. */
export type OnTree<T> = {
  readonly [K in keyof T]: T[K] extends { readonly payload: Schema } | { readonly ack: true }
    ? (listener: ListenerOf<T[K]>) => Unsubscribe
    : IsEmpty<T[K]> extends true
      ? (listener: () => void) => Unsubscribe
      : T[K] extends EventTree
        ? OnTree<T[K]>
        : never;
};

/** The headers option's type: the input of `contract.headers`, or any flat record without it. */
export type HeadersOf<C extends Contract> = C extends { readonly headers: infer H extends Schema }
  ? z.input<H>
  : Record<string, unknown>;

/**
 * The state of a client: `idle` before `connect()` (with `autoConnect: false`) and after the server
 * refused the handshake with 401/403 (a `HandshakeError`), `connecting` until the first connection
 * opens, `open` while connected, `reconnecting` between a drop and the next successful connection,
 * `closed` for good.
 */
export type ClientState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/** The part of a WebSocket object the client uses (the browser's, Node's or `ws`'s). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onopen: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onmessage: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onclose: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onerror: ((event: any) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` or `ws`'s `WebSocket` class. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Reconnect settings; every field has a default. */
export interface ReconnectOptions {
  /** The upper bound of the first delay in milliseconds; default 500. */
  readonly initialDelayMs?: number;
  /** The cap on every delay in milliseconds; default 30 000. */
  readonly maxDelayMs?: number;
  /** Failed attempts in a row before the client gives up and closes; default Infinity. */
  readonly maxAttempts?: number;
}

/** What fire-and-forget sends do while the client is not connected. */
export type WhileDisconnected =
  | "fail"
  | {
      /** How many messages to keep; at least 0. */
      readonly buffer: number;
      /** What a send does when the buffer is full: throw DISCONNECTED (default) or drop the oldest. */
      readonly overflow?: "fail" | "dropOldest";
    };

/**
 * The headers option: the headers, or a function (sync or async) that returns them and is called
 * before every connection attempt, the first and each reconnect, so that a token refreshed meanwhile
 * is sent.
 */
export type HeadersOption<C extends Contract = Contract> =
  | HeadersOf<C>
  | (() => HeadersOf<C> | PromiseLike<HeadersOf<C>>);

/** Options of `createClient`. */
export interface ClientOptions<C extends Contract = Contract> {
  /**
   * Handshake headers, sent as URL query parameters; validated by `contract.headers`. Either the
   * headers, checked when the client is created (an invalid one throws), or a function returning
   * them (or a promise of them), called and checked before every connection attempt: a function
   * that throws or rejects, or headers that fail the schema, make that attempt fail (reported to
   * `onError`, then retried under `reconnect`, which calls the function again).
   */
  readonly headers?: HeadersOption<C>;
  /**
   * Connect when created (default true). `false`: the client stays `idle` until `connect()`.
   */
  readonly autoConnect?: boolean;
  /**
   * Liveness (an extension): with a server that announces it, the client sends a `__ping` when
   * nothing arrived for half this time, and drops the connection as dead when nothing arrived for
   * another half after that ping (so after this long in silence), in milliseconds; then it
   * reconnects (and recovers) as after any drop; default 20 000.
   * A server without the extension (a Zocket v1 server) is never pinged and gets no liveness check:
   * the connection is then only found dead when the WebSocket implementation reports it. `Infinity`:
   * the client does not ask for it.
   */
  readonly livenessTimeoutMs?: number;
  /** The WebSocket constructor; default `globalThis.WebSocket`. */
  readonly WebSocket?: WebSocketConstructor;
  /** Default call timeout in milliseconds; default 10 000. */
  readonly callTimeoutMs?: number;
  /** How long one connection attempt may take before it counts as failed, in ms; default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Validate outgoing payloads, headers and incoming events and replies; default true. */
  readonly validate?: boolean;
  /** Reconnect after a drop with exponential backoff, or never (`false`); default `{}`. */
  readonly reconnect?: ReconnectOptions | false;
  /** Retry a failed first connection under `reconnect` instead of closing; default false. */
  readonly retryFirstConnect?: boolean;
  /** What sends do while not connected; default `"fail"`. */
  readonly whileDisconnected?: WhileDisconnected;
  /**
   * Connection-state recovery; default true. When on, every connection attempt sends
   * `x-zocket-recovery=1`, the client keeps the session token of the server's `__session` message and
   * the `pos` of the last event, and a reconnect sends them back (`x-zocket-session`, `x-zocket-pos`)
   * so that a server with recovery on can restore the session and replay the missed events. A server
   * without it is not affected. `false`: none of this; every reconnect is a fresh session.
   */
  readonly recovery?: boolean;
  /**
   * How long a reconnect that asked to recover waits for the server's `__session` message before it
   * reports the connection open anyway with `recovered: false`, in milliseconds; default 5 000.
   * Positive, or `Infinity` to wait for the first frame (the connection may then stay unreported).
   */
  readonly recoveryTimeoutMs?: number;
}

/** What `onOpen` listeners receive about the connection that just opened. */
export interface OpenInfo {
  /**
   * True when the server restored the earlier session on this reconnect: same client id, user
   * context and rooms, and the events missed while disconnected follow, in order, before new ones;
   * the application must not rejoin. False on the first connection and whenever the session is
   * fresh (recovery off, server without recovery, session expired or too many events missed): the
   * application rejoins its rooms.
   */
  readonly recovered: boolean;
}

/** A connected (or connecting) client typed by its contract. */
export interface ZocketClient<C extends Contract = Contract> {
  /** Routes: `client.send.rooms.join(payload)` (void) or `await client.send.rooms.members(payload)`. */
  readonly send: SendTree<C["routes"]>;
  /** Events: `client.on.rooms.onMessage(listener)` returns an unsubscribe function. */
  readonly on: OnTree<C["events"]>;
  /** The current state. */
  readonly state: ClientState;
  /**
   * True while the current connection is a recovered session (see `OpenInfo.recovered`); false
   * before the first connection, on a fresh one and while not connected.
   */
  readonly recovered: boolean;
  /**
   * Runs after each successful connection (the first and each reconnect) with `{ recovered }`:
   * rejoin rooms when `recovered` is false. After a reconnect that asked to recover it runs once the
   * server's `__session` message has said whether the session was recovered, before any replayed
   * event reaches its listeners.
   */
  onOpen(listener: (info: OpenInfo) => void): Unsubscribe;
  /**
   * Runs each time an open connection closes, with the close code and reason; a connection the
   * liveness check found dead reports 1006 and a reason that says so.
   */
  onClose(listener: (code: number, reason: string) => void): Unsubscribe;
  /** Runs on every change of `state`, with the new state and the one before. */
  onStateChange(listener: (state: ClientState, previous: ClientState) => void): Unsubscribe;
  /**
   * Receives invalid incoming messages, failed connection attempts (a refused handshake as a
   * `HandshakeError`), failures of the headers function and listener exceptions.
   */
  onError(listener: (error: unknown) => void): Unsubscribe;
  /**
   * Resolves when the client is open; rejects with DISCONNECTED if it closes first, or with the
   * `HandshakeError` of a refused handshake.
   */
  opened(): Promise<void>;
  /**
   * Starts connecting when `idle` (created with `autoConnect: false`, or after a refused handshake:
   * the headers function is called again); otherwise only waits. Resolves as `opened()` does.
   */
  connect(): Promise<void>;
  /** Closes for good with code 1000: no reconnect, pending calls reject with DISCONNECTED. */
  close(): void;
}
