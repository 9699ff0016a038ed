import { safeParse } from "zod";
import { Connection } from "./connection.js";
import { buildTree, collectRoutes, type RouteEntry } from "./contract.js";
import { invalidPayload, ZocketError, type HandshakeError } from "./errors.js";
import { Events } from "./events.js";
import { disconnected, Lifecycle, reconnectSettings } from "./lifecycle.js";
import { ErrorListeners } from "./listeners.js";
import { Liveness, PING_FRAME, PONG } from "./liveness.js";
import { Outbox } from "./outbox.js";
import { PendingCalls } from "./pending.js";
import { Recovery } from "./recovery.js";
import { STREAM_END, STREAM_ITEM, Streams } from "./streams.js";
import { checkTimeout, isRecord } from "./timers.js";
import type {
  CallOptions,
  ClientOptions,
  ClientState,
  Contract,
  OpenInfo,
  StreamOptions,
  WebSocketConstructor,
  ZocketClient,
} from "./types.js";
import { acksUrl, connectionUrl, describeUrl, livenessUrl, streamsUrl } from "./url.js";

/** The `type` of a call's reply. */
const RPC_RESPONSE = "__rpc_res";
/** The `type` of the server's session message, the first frame of a connection that asked to recover. */
const SESSION = "__session";
/** The default of `recoveryTimeoutMs`. */
const DEFAULT_RECOVERY_TIMEOUT_MS = 5_000;
/** The default of `livenessTimeoutMs`. */
const DEFAULT_LIVENESS_TIMEOUT_MS = 20_000;
/** The close code of a connection whose session another connection resumed (never reconnected). */
const TAKEN_OVER = 4001;
/** The close code (extension) with which the client drops a connection found dead; the server keeps the session. */
const RECONNECTING = 4002;

/**
 * Creates a client typed by `contract` and starts connecting to `url` at once (unless
 * `autoConnect: false`: then `connect()` starts it).
 *
 * @throws TypeError if no WebSocket implementation is available or `url` is not absolute
 * @throws RangeError on an out-of-range option
 * @throws ZocketError INVALID_PAYLOAD if validation is on and static headers fail `contract.headers`
 */
export function createClient<const C extends Contract>(
  contract: C,
  url: string,
  options: ClientOptions<C> = {},
): ZocketClient<C> {
  const WebSocketImpl: WebSocketConstructor | undefined =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof WebSocketImpl !== "function") {
    throw new TypeError(
      "No WebSocket implementation: globalThis.WebSocket is undefined (Node 20 has none). " +
        'Pass one as the WebSocket option, e.g. `import { WebSocket } from "ws"` and { WebSocket }.',
    );
  }
  const validate = options.validate ?? true;
  const callTimeoutMs = checkTimeout(options.callTimeoutMs ?? 10_000, "callTimeoutMs");
  const connectTimeoutMs = checkTimeout(options.connectTimeoutMs ?? 10_000, "connectTimeoutMs");
  const recoveryTimeoutMs = checkTimeout(options.recoveryTimeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS, "recoveryTimeoutMs");
  const livenessTimeoutMs = checkTimeout(options.livenessTimeoutMs ?? DEFAULT_LIVENESS_TIMEOUT_MS, "livenessTimeoutMs");
  const reconnect = reconnectSettings(options.reconnect);
  const outbox = new Outbox(options.whileDisconnected ?? "fail");

  const headersOption = options.headers as unknown;
  /** Static headers, checked now; a headers function is called and checked on every attempt. */
  const headersFn = typeof headersOption === "function" ? (headersOption as () => unknown) : undefined;
  if (headersFn === undefined) {
    checkHeaders(headersOption ?? {});
  }
  const where = describeUrl(connectionUrl(url));

  const errors = new ErrorListeners();
  const report = errors.report;
  const pending = new PendingCalls(validate);
  const streams = new Streams(validate, { write: (text) => write(text), nextId: () => pending.nextId() });
  const recovery = new Recovery(options.recovery ?? true, recoveryTimeoutMs);
  let connection: Connection | undefined;
  /** Counts attempts, so that an attempt whose headers arrive after it was superseded is dropped. */
  let attempts = 0;
  const liveness = new Liveness(
    livenessTimeoutMs,
    () => {
      connection?.send(PING_FRAME);
    },
    () => {
      const dead = connection;
      if (dead !== undefined) {
        dead.close(RECONNECTING, "No message from the server");
        connectionClosed(1006, `No message from the server within ${livenessTimeoutMs} ms`);
      }
    },
  );
  const lifecycle = new Lifecycle(
    options.autoConnect === false ? "idle" : "connecting",
    reconnect,
    options.retryFirstConnect ?? false,
    where,
    report,
    {
      attempt: () => attempt(false),
      stop: (error) => {
        attempts += 1;
        const open = connection;
        connection = undefined;
        open?.close(1000);
        liveness.stop();
        recovery.endWait();
        recovery.forget();
        outbox.clear();
        pending.failAll((type) => disconnected(`${error.message}; ${type} got no reply`, type));
        streams.failAll((type) => disconnected(`${error.message}; the stream ${type} ended`, type));
      },
    },
  );

  const events = new Events(contract, validate, report);

  /** Throws INVALID_PAYLOAD when validation is on and the headers fail the contract's schema. */
  function checkHeaders(headers: unknown): Record<string, unknown> {
    if (validate && contract.headers) {
      const result = safeParse(contract.headers, headers);
      if (!result.success) {
        throw invalidPayload("headers", result.error);
      }
    }
    if (!isRecord(headers)) {
      throw new TypeError(`headers must be an object: ${String(headers)}`);
    }
    return headers;
  }

  /** Starts a connection attempt: the headers (the function's, called now), then the socket. */
  function attempt(first: boolean): void {
    const id = ++attempts;
    if (headersFn !== undefined) {
      // Called in a microtask, even when synchronous: what it throws reaches the onError listeners
      // the application adds right after createClient.
      Promise.resolve()
        .then(() => headersFn())
        .then(
          (value) => {
          if (id === attempts) {
            open(value, false);
          }
        },
        (error: unknown) => {
          if (id === attempts) {
            headersFailed(error);
          }
        },
      );
    } else {
      open(headersOption ?? {}, first);
    }
  }

  function headersFailed(error: unknown): void {
    report(error);
    const why = error instanceof Error ? error.message : String(error);
    lifecycle.attemptFailed(error instanceof ZocketError ? why : `the headers function failed: ${why}`);
  }

  function open(headers: unknown, first: boolean): void {
    let target: string;
    try {
      target = connectionUrl(url, headersFn === undefined ? (headers as Record<string, unknown>) : checkHeaders(headers));
    } catch (error) {
      headersFailed(error);
      return;
    }
    target = streamsUrl(recovery.url(target));
    if (liveness.enabled) {
      target = livenessUrl(target);
    }
    if (events.acknowledges) {
      target = acksUrl(target);
    }
    try {
      connection = new Connection(WebSocketImpl!, target, connectTimeoutMs, {
        open: () => {
          if (!recovery.awaitSession(() => opened(false))) {
            opened(false);
          }
        },
        message: (data) => receive(data),
        closed: (code, reason) => connectionClosed(code, reason),
        failed: (why, refusal) => {
          connection = undefined;
          if (refusal !== undefined) {
            refused(refusal);
          } else {
            lifecycle.attemptFailed(why);
          }
        },
      });
    } catch (error) {
      if (first) {
        throw error;
      }
      lifecycle.attemptFailed(error instanceof Error ? error.message : String(error));
    }
  }

  function refused(error: HandshakeError): void {
    pending.failAll((type) => disconnected(`${error.message}; ${type} got no reply`, type));
    streams.failAll((type) => disconnected(`${error.message}; the stream ${type} ended`, type));
    lifecycle.refused(error);
  }

  function opened(recovered: boolean): void {
    lifecycle.open(recovered, () => outbox.flush(write));
  }

  /** The open socket closed (or was found dead). */
  function connectionClosed(code: number, reason: string): void {
    connection = undefined;
    liveness.stop();
    if (recovery.awaiting) {
      // The application never saw this connection open: a failed attempt; the token is kept.
      recovery.endWait();
      lifecycle.attemptFailed(`closed with ${code}${reason ? ` ${reason}` : ""} before the session message`);
      return;
    }
    pending.failAll((type) => disconnected(`Connection closed with ${code}; ${type} got no reply`, type));
    // Streams are not resumed across a drop: each ends with DISCONNECTED (docs/protocol.md, Streams).
    streams.failAll((type) => disconnected(`Connection closed with ${code}; the stream ${type} ended`, type));
    // TAKEN_OVER: another connection resumed this client's session; reconnecting would take it back.
    lifecycle.dropped(code, reason, code !== TAKEN_OVER);
  }

  /** Sends a frame on the open connection; false when there is none. */
  function write(text: string): boolean {
    return lifecycle.state === "open" && connection !== undefined && connection.send(text);
  }

  function receive(data: unknown): void {
    liveness.received();
    let message: Record<string, unknown> | undefined;
    let problem: ZocketError | undefined;
    if (typeof data !== "string") {
      problem = new ZocketError("INVALID_MESSAGE", "Ignored a message that is not a text frame");
    } else {
      try {
        const parsed: unknown = JSON.parse(data);
        if (isRecord(parsed) && typeof parsed["type"] === "string") {
          message = parsed;
        } else {
          problem = new ZocketError("INVALID_MESSAGE", `Ignored a message without a string type: ${data.slice(0, 100)}`);
        }
      } catch {
        problem = new ZocketError("INVALID_MESSAGE", `Ignored a message that is not JSON: ${data.slice(0, 100)}`);
      }
    }
    const type = message?.["type"];
    if (type === PONG) {
      liveness.start(); // the announcement, or the answer to a ping; never an event
      return;
    }
    if (recovery.awaiting) {
      recovery.endWait();
      if (type === SESSION) {
        recovery.store(message!["payload"]);
        const payload = message!["payload"];
        opened(isRecord(payload) && payload["recovered"] === true);
        return;
      }
      // A server that does not know recovery: a fresh session; this frame is handled as usual.
      recovery.forget();
      const current = connection;
      opened(false);
      if (connection !== current || current === undefined) {
        return; // an open listener closed the client
      }
    }
    if (message === undefined) {
      report(problem);
      return;
    }
    if ((type === RPC_RESPONSE || type === STREAM_ITEM || type === STREAM_END) && streams.receive(type, message)) {
      return;
    }
    if (type === RPC_RESPONSE) {
      const error = pending.settle(message);
      if (error !== undefined) {
        report(error);
      }
      return;
    }
    if (type === SESSION) {
      recovery.store(message["payload"]); // never an event
      return;
    }
    recovery.received(message);
    const rpcId = message["rpcId"];
    if (typeof rpcId === "string") {
      // An acknowledged event: answered on the connection it came on, if that is still open.
      const on = connection;
      events.ask(type as string, message["payload"], rpcId, (frame) => {
        if (on !== undefined && connection === on) {
          on.send(frame);
        }
      });
      return;
    }
    events.deliver(type as string, message["payload"]);
  }

  /** The frame of a route; validates (and sends the schema's output) when validation is on. */
  function encode(route: RouteEntry, payload: unknown, rpcId?: string): string {
    const envelope: { type: string; payload?: unknown; rpcId?: string } = { type: route.type };
    if (route.payload) {
      let value = payload;
      if (validate) {
        const result = safeParse(route.payload, payload);
        if (!result.success) {
          throw invalidPayload(`payload of ${route.type}`, result.error, route.type);
        }
        value = result.data;
      }
      envelope.payload = value;
    }
    if (rpcId !== undefined) {
      envelope.rpcId = rpcId;
    }
    return JSON.stringify(envelope);
  }

  function sender(route: RouteEntry): (payload?: unknown) => void {
    return (payload?: unknown) => {
      const text = encode(route, payload);
      if (lifecycle.state === "closed") {
        throw disconnected(`Client is closed; ${route.type} not sent`, route.type);
      }
      if (!write(text)) {
        outbox.keep(text, route.type);
      }
    };
  }

  function caller(route: RouteEntry): (...args: unknown[]) => Promise<unknown> {
    return (...args: unknown[]) =>
      new Promise<unknown>((resolve, reject) => {
        const payload = route.payload ? args[0] : undefined;
        const callOptions = (route.payload ? args[1] : args[0]) as CallOptions | undefined;
        const timeoutMs = checkTimeout(callOptions?.timeoutMs ?? route.timeoutMs ?? callTimeoutMs, "timeoutMs");
        const signal = callOptions?.signal;
        if (signal?.aborted) {
          throw signal.reason;
        }
        const rpcId = pending.nextId();
        const text = encode(route, payload, rpcId);
        if (lifecycle.state !== "open") {
          throw disconnected(`Not connected; ${route.type} not sent`, route.type);
        }
        pending.add(rpcId, route.type, route.reply, resolve, reject, timeoutMs, signal);
        if (!write(text)) {
          pending.remove(rpcId);
          throw disconnected(`Not connected; ${route.type} not sent`, route.type);
        }
      });
  }

  function streamer(route: RouteEntry): (...args: unknown[]) => AsyncIterable<unknown> {
    return (...args: unknown[]) => {
      const payload = route.payload ? args[0] : undefined;
      const streamOptions = (route.payload ? args[1] : args[0]) as StreamOptions | undefined;
      const timeoutMs = checkTimeout(streamOptions?.timeoutMs ?? route.timeoutMs ?? callTimeoutMs, "timeoutMs");
      if (validate && route.payload) {
        encode(route, payload); // an invalid payload throws now, not when the loop begins
      }
      return streams.iterable(
        route.type,
        route.reply,
        (rpcId) => encode(route, payload, rpcId),
        timeoutMs,
        streamOptions?.signal,
        () => lifecycle.state === "open",
        () => disconnected(`Not connected; the stream ${route.type} was not started`, route.type),
      );
    };
  }

  const send = buildTree(collectRoutes(contract), (route) =>
    route.kind === "call" ? caller(route) : route.kind === "stream" ? streamer(route) : sender(route),
  );

  const client = {
    send,
    on: events.on,
    get state(): ClientState {
      return lifecycle.state;
    },
    get recovered(): boolean {
      return lifecycle.recovered;
    },
    onOpen: (listener: (info: OpenInfo) => void) => lifecycle.openListeners.add(listener),
    onClose: (listener: (code: number, reason: string) => void) => lifecycle.closeListeners.add(listener),
    onError: (listener: (error: unknown) => void) => errors.add(listener),
    onStateChange: (listener: (state: ClientState, previous: ClientState) => void) =>
      lifecycle.stateListeners.add(listener),
    opened: (): Promise<void> => lifecycle.opened(),
    connect: (): Promise<void> => lifecycle.connect(),
    close(): void {
      lifecycle.close();
    },
  };

  if (lifecycle.state === "connecting") {
    attempt(true);
  }
  return client as unknown as ZocketClient<C>;
}
