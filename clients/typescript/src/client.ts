import { safeParse } from "zod";
import { backoffDelay, checkDelays, DEFAULT_RECONNECT } from "./backoff.js";
import { buildTree, collectEvents, collectRoutes, type EventEntry, type RouteEntry } from "./contract.js";
import { invalidPayload, ZocketError, type Violation } from "./errors.js";
import type {
  CallOptions,
  ClientOptions,
  ClientState,
  Contract,
  OpenInfo,
  Schema,
  Unsubscribe,
  WebSocketConstructor,
  WebSocketLike,
  ZocketClient,
} from "./types.js";
import { connectionUrl, describeUrl, recoveryUrl } from "./url.js";

/** The `type` of a call's reply. */
const RPC_RESPONSE = "__rpc_res";
/** The `type` of the server's session message, the first frame of a connection that asked to recover. */
const SESSION = "__session";
/** The default of `recoveryTimeoutMs`. */
const DEFAULT_RECOVERY_TIMEOUT_MS = 5_000;
/** The close code of a connection whose session another connection resumed (never reconnected). */
const TAKEN_OVER = 4001;
/** `WebSocket.OPEN`. */
const OPEN = 1;
/** The longest delay `setTimeout` keeps (2^31 - 1 ms); longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

type Timer = ReturnType<typeof setTimeout>;

interface Pending {
  readonly type: string;
  readonly reply: Schema | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: Timer | undefined;
}

interface Listener<F> {
  readonly fn: F;
}

interface EventSlot {
  readonly entry: EventEntry;
  readonly listeners: Set<Listener<(payload?: unknown) => void>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function noop(): void {}

/** A timeout option: a positive number of milliseconds, or Infinity for none. */
function checkTimeout(value: number, name: string): number {
  if (!(typeof value === "number" && value > 0)) {
    throw new RangeError(`${name} must be a positive number of milliseconds or Infinity: ${String(value)}`);
  }
  return value;
}

function startTimer(ms: number, fn: () => void): Timer | undefined {
  return Number.isFinite(ms) ? setTimeout(fn, Math.min(ms, MAX_TIMER_MS)) : undefined;
}

/** What an error event says, where the implementation says anything (`ws` does, browsers do not). */
function errorText(event: unknown): string | undefined {
  if (isRecord(event)) {
    if (typeof event["message"] === "string" && event["message"] !== "") {
      return event["message"];
    }
    const error = event["error"];
    if (error instanceof Error) {
      return error.message;
    }
  }
  return undefined;
}

/** The error of an error reply, tolerant of missing or mistyped fields. */
function replyError(error: unknown, route: string): ZocketError {
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

/**
 * Creates a client typed by `contract` and starts connecting to `url` at once.
 *
 * @throws TypeError if no WebSocket implementation is available or `url` is not absolute
 * @throws RangeError on an out-of-range option
 * @throws ZocketError INVALID_PAYLOAD if validation is on and the headers fail `contract.headers`
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
  const recovery = options.recovery ?? true;
  const recoveryTimeoutMs = checkTimeout(options.recoveryTimeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS, "recoveryTimeoutMs");
  const reconnect =
    options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT, ...stripUndefined(options.reconnect ?? {}) };
  if (reconnect) {
    checkDelays(reconnect.initialDelayMs, reconnect.maxDelayMs);
    if (!(reconnect.maxAttempts >= 1 && (Number.isInteger(reconnect.maxAttempts) || reconnect.maxAttempts === Infinity))) {
      throw new RangeError(`reconnect.maxAttempts must be an integer >= 1 or Infinity: ${reconnect.maxAttempts}`);
    }
  }
  const retryFirstConnect = options.retryFirstConnect ?? false;
  const policy = options.whileDisconnected ?? "fail";
  const bufferMax = policy === "fail" ? 0 : policy.buffer;
  if (policy !== "fail" && !(Number.isInteger(bufferMax) && bufferMax >= 0)) {
    throw new RangeError(`whileDisconnected.buffer must be an integer >= 0: ${bufferMax}`);
  }
  const dropOldest = policy !== "fail" && policy.overflow === "dropOldest";

  const headers = (options.headers ?? {}) as Record<string, unknown>;
  if (validate && contract.headers) {
    const result = safeParse(contract.headers, headers);
    if (!result.success) {
      throw invalidPayload("headers", result.error);
    }
  }
  const target = connectionUrl(url, headers);
  const where = describeUrl(target);

  let state: ClientState = "connecting";
  let socket: WebSocketLike | undefined;
  let everOpened = false;
  let attempt = 0;
  let retryTimer: Timer | undefined;
  let connectTimer: Timer | undefined;
  /** The session token of the last `__session` message; sent back on a reconnect. */
  let session: string | undefined;
  /** The last position: the `pos` of the last event, or of the last `__session` message. */
  let lastPos: string | undefined;
  /** Whether the current connection is a recovered session. */
  let recovered = false;
  /** The socket is open but the client waits for `__session` before reporting the connection open. */
  let awaitingSession = false;
  let recoveryTimer: Timer | undefined;
  let closedError: ZocketError | undefined;
  let nextRpcId = 0;
  const pending = new Map<string, Pending>();
  const buffer: string[] = [];
  const openListeners = new Set<Listener<(info: OpenInfo) => void>>();
  const closeListeners = new Set<Listener<(code: number, reason: string) => void>>();
  const errorListeners = new Set<Listener<(error: unknown) => void>>();
  let openWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  const events = new Map<string, EventSlot>();
  for (const entry of collectEvents(contract)) {
    events.set(entry.type, { entry, listeners: new Set() });
  }

  function subscribe<F>(set: Set<Listener<F>>, fn: F): Unsubscribe {
    if (typeof fn !== "function") {
      throw new TypeError("listener must be a function");
    }
    const listener = { fn };
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  function report(error: unknown): void {
    for (const listener of [...errorListeners]) {
      try {
        listener.fn(error);
      } catch {
        // An onError listener that throws has nowhere left to report to.
      }
    }
  }

  function runAll<A extends unknown[]>(set: Set<Listener<(...args: A) => void>>, ...args: A): void {
    for (const listener of [...set]) {
      try {
        listener.fn(...args);
      } catch (error) {
        report(error);
      }
    }
  }

  function disconnected(message: string, route?: string): ZocketError {
    return new ZocketError("DISCONNECTED", message, [], route);
  }

  function failPending(message: string): void {
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(disconnected(`${message}; ${call.type} got no reply`, call.type));
    }
  }

  /** Ends the client for good (state is already "closed"). */
  function finish(error: ZocketError): void {
    closedError = error;
    clearTimeout(retryTimer);
    clearTimeout(connectTimer);
    clearTimeout(recoveryTimer);
    retryTimer = connectTimer = recoveryTimer = undefined;
    awaitingSession = false;
    recovered = false;
    session = lastPos = undefined;
    buffer.length = 0;
    failPending(error.message);
    const waiters = openWaiters;
    openWaiters = [];
    for (const waiter of waiters) {
      waiter.reject(error);
    }
  }

  function detach(ws: WebSocketLike): void {
    // Not null: `ws` throws an error event that has no listener.
    ws.onopen = noop;
    ws.onmessage = noop;
    ws.onclose = noop;
    ws.onerror = noop;
  }

  function connect(first: boolean): void {
    let ws: WebSocketLike;
    try {
      ws = new WebSocketImpl!(recovery ? recoveryUrl(target, session, session === undefined ? undefined : lastPos) : target);
    } catch (error) {
      if (first) {
        throw error;
      }
      attemptFailed(error instanceof Error ? error.message : String(error));
      return;
    }
    socket = ws;
    let lastError: string | undefined;
    connectTimer = startTimer(connectTimeoutMs, () => {
      if (socket !== ws) {
        return;
      }
      socket = undefined;
      detach(ws);
      try {
        ws.close();
      } catch {
        // Closing a connecting socket may throw in some implementations; it is dropped either way.
      }
      attemptFailed(`no connection after ${connectTimeoutMs} ms`);
    });
    let isOpen = false;
    ws.onopen = () => {
      if (socket !== ws) {
        return;
      }
      clearTimeout(connectTimer);
      connectTimer = undefined;
      isOpen = true;
      if (recovery && session !== undefined) {
        // Report open once __session says whether the session was recovered.
        awaitingSession = true;
        recoveryTimer = startTimer(recoveryTimeoutMs, () => {
          if (socket === ws && awaitingSession) {
            endWait();
            session = lastPos = undefined;
            handleOpen(false);
          }
        });
      } else {
        handleOpen(false);
      }
    };
    ws.onmessage = (event: { data?: unknown }) => {
      if (socket === ws) {
        receive(event.data, ws);
      }
    };
    ws.onerror = (event: unknown) => {
      lastError = errorText(event) ?? lastError;
    };
    ws.onclose = (event: { code?: unknown; reason?: unknown }) => {
      if (socket !== ws) {
        return;
      }
      socket = undefined;
      detach(ws);
      clearTimeout(connectTimer);
      connectTimer = undefined;
      const code = typeof event.code === "number" ? event.code : 1006;
      const reason = typeof event.reason === "string" ? event.reason : "";
      if (awaitingSession) {
        // The application never saw this connection open: a failed attempt; the token is kept.
        endWait();
        attemptFailed(`closed with ${code}${reason ? ` ${reason}` : ""} before the session message`);
      } else if (isOpen) {
        dropped(code, reason);
      } else {
        attemptFailed(lastError ?? `closed with ${code}${reason ? ` ${reason}` : ""}`);
      }
    };
  }

  function endWait(): void {
    awaitingSession = false;
    clearTimeout(recoveryTimer);
    recoveryTimer = undefined;
  }

  function handleOpen(isRecovered: boolean): void {
    attempt = 0;
    everOpened = true;
    state = "open";
    recovered = isRecovered;
    runAll(openListeners, Object.freeze({ recovered: isRecovered }));
    while (buffer.length > 0 && state === "open") {
      if (!write(buffer[0]!)) {
        break;
      }
      buffer.shift();
    }
    if (state === "open") {
      const waiters = openWaiters;
      openWaiters = [];
      for (const waiter of waiters) {
        waiter.resolve();
      }
    }
  }

  function dropped(code: number, reason: string): void {
    // TAKEN_OVER: another connection resumed this client's session; reconnecting would take it back.
    state = reconnect && code !== TAKEN_OVER ? "reconnecting" : "closed";
    recovered = false;
    failPending(`Connection closed with ${code}`);
    runAll(closeListeners, code, reason);
    if (state === "reconnecting") {
      scheduleRetry();
    } else if (closedError === undefined) {
      finish(disconnected(`Connection to ${where} closed with ${code}${reason ? ` (${reason})` : ""}`));
    }
  }

  function attemptFailed(why: string): void {
    if (state === "closed") {
      return;
    }
    const error = disconnected(`Could not connect to ${where}: ${why}`);
    if (reconnect && (everOpened || retryFirstConnect)) {
      report(error);
      scheduleRetry();
    } else {
      state = "closed";
      finish(error);
      report(error);
    }
  }

  function scheduleRetry(): void {
    if (state === "closed" || !reconnect) {
      return;
    }
    attempt += 1;
    if (attempt > reconnect.maxAttempts) {
      state = "closed";
      const error = disconnected(`Gave up reconnecting to ${where} after ${reconnect.maxAttempts} failed attempts`);
      finish(error);
      report(error);
      return;
    }
    const delay = backoffDelay(attempt, Math.random(), reconnect);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (state !== "closed") {
        connect(false);
      }
    }, delay);
  }

  /** Sends a frame on the open connection; false when there is none. */
  function write(text: string): boolean {
    const ws = socket;
    if (ws === undefined || state !== "open" || ws.readyState !== OPEN) {
      return false;
    }
    try {
      ws.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Keeps the token and position of a `__session` message's payload. */
  function storeSession(payload: unknown): void {
    if (!recovery || !isRecord(payload)) {
      return;
    }
    const token = payload["session"];
    session = typeof token === "string" ? token : undefined;
    const pos = payload["pos"];
    lastPos = typeof pos === "string" ? pos : undefined;
  }

  function receive(data: unknown, ws: WebSocketLike): void {
    let message: Record<string, unknown> | undefined;
    let problem: ZocketError | undefined;
    if (typeof data !== "string") {
      problem = new ZocketError("INVALID_MESSAGE", "Ignored a message that is not a text frame");
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
        if (isRecord(parsed) && typeof parsed["type"] === "string") {
          message = parsed;
        } else {
          problem = new ZocketError("INVALID_MESSAGE", `Ignored a message without a string type: ${data.slice(0, 100)}`);
        }
      } catch {
        problem = new ZocketError("INVALID_MESSAGE", `Ignored a message that is not JSON: ${data.slice(0, 100)}`);
      }
    }
    if (awaitingSession) {
      endWait();
      if (message !== undefined && message["type"] === SESSION) {
        storeSession(message["payload"]);
        const payload = message["payload"];
        handleOpen(isRecord(payload) && payload["recovered"] === true);
        return;
      }
      // A server that does not know recovery: a fresh session; this frame is handled as usual.
      session = lastPos = undefined;
      handleOpen(false);
      if (socket !== ws) {
        return; // an open listener closed the client
      }
    }
    if (message === undefined) {
      report(problem);
      return;
    }
    const type = message["type"] as string;
    if (type === RPC_RESPONSE) {
      reply(message);
      return;
    }
    if (type === SESSION) {
      storeSession(message["payload"]); // never an event
      return;
    }
    if (recovery && typeof message["pos"] === "string") {
      lastPos = message["pos"];
    }
    const slot = events.get(type);
    if (slot === undefined || slot.listeners.size === 0) {
      return; // an event this contract does not know, or nobody listens
    }
    const schema = slot.entry.payload;
    let payload = message["payload"];
    if (validate && schema) {
      let result;
      try {
        result = safeParse(schema, payload);
      } catch (error) {
        report(error);
        return;
      }
      if (!result.success) {
        report(invalidPayload(`payload of event ${type}`, result.error, type));
        return;
      }
      payload = result.data;
    }
    for (const listener of [...slot.listeners]) {
      try {
        if (schema) {
          listener.fn(payload);
        } else {
          listener.fn();
        }
      } catch (error) {
        report(error);
      }
    }
  }

  function reply(message: Record<string, unknown>): void {
    const rpcId = message["rpcId"];
    if (typeof rpcId !== "string") {
      report(new ZocketError("INVALID_MESSAGE", "Ignored a reply without a string rpcId"));
      return;
    }
    const call = pending.get(rpcId);
    if (call === undefined) {
      return; // late (timed out) or unknown
    }
    pending.delete(rpcId);
    clearTimeout(call.timer);
    const error = message["error"];
    if (error !== undefined && error !== null) {
      call.reject(replyError(error, call.type));
      return;
    }
    if (call.reply === undefined) {
      call.resolve(undefined);
      return;
    }
    if (!validate) {
      call.resolve(message["payload"]);
      return;
    }
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
      if (state === "closed") {
        throw disconnected(`Client is closed; ${route.type} not sent`, route.type);
      }
      if (write(text)) {
        return;
      }
      if (policy === "fail") {
        throw disconnected(`Not connected; ${route.type} not sent`, route.type);
      }
      if (buffer.length >= bufferMax) {
        if (!dropOldest || bufferMax === 0) {
          throw disconnected(`Not connected and the send buffer is full; ${route.type} not sent`, route.type);
        }
        buffer.shift();
      }
      buffer.push(text);
    };
  }

  function caller(route: RouteEntry): (...args: unknown[]) => Promise<unknown> {
    return (...args: unknown[]) =>
      new Promise<unknown>((resolve, reject) => {
        const payload = route.payload ? args[0] : undefined;
        const callOptions = (route.payload ? args[1] : args[0]) as CallOptions | undefined;
        const timeoutMs = checkTimeout(callOptions?.timeoutMs ?? route.timeoutMs ?? callTimeoutMs, "timeoutMs");
        const rpcId = (nextRpcId++).toString(36);
        const text = encode(route, payload, rpcId);
        if (state !== "open") {
          throw disconnected(`Not connected; ${route.type} not sent`, route.type);
        }
        const call: Pending = { type: route.type, reply: route.reply, resolve, reject, timer: undefined };
        pending.set(rpcId, call);
        if (!write(text)) {
          pending.delete(rpcId);
          throw disconnected(`Not connected; ${route.type} not sent`, route.type);
        }
        call.timer = startTimer(timeoutMs, () => {
          if (pending.get(rpcId) === call) {
            pending.delete(rpcId);
            reject(new ZocketError("TIMEOUT", `${route.type} got no reply within ${timeoutMs} ms`, [], route.type));
          }
        });
      });
  }

  function listen(slot: EventSlot): (listener: (payload?: unknown) => void) => Unsubscribe {
    return (listener) => subscribe(slot.listeners, listener);
  }

  const send = buildTree(collectRoutes(contract), (route) => (route.kind === "call" ? caller(route) : sender(route)));
  const on = buildTree([...events.values()].map((slot) => ({ path: slot.entry.path, slot })), (e) => listen(e.slot));

  const client = {
    send,
    on,
    get state(): ClientState {
      return state;
    },
    get recovered(): boolean {
      return recovered;
    },
    onOpen: (listener: (info: OpenInfo) => void) => subscribe(openListeners, listener),
    onClose: (listener: (code: number, reason: string) => void) => subscribe(closeListeners, listener),
    onError: (listener: (error: unknown) => void) => subscribe(errorListeners, listener),
    opened(): Promise<void> {
      if (state === "open") {
        return Promise.resolve();
      }
      if (state === "closed") {
        return Promise.reject(closedError ?? disconnected("Client is closed"));
      }
      return new Promise<void>((resolve, reject) => openWaiters.push({ resolve, reject }));
    },
    close(): void {
      if (state === "closed") {
        return;
      }
      const wasOpen = state === "open";
      state = "closed";
      const ws = socket;
      socket = undefined;
      if (ws !== undefined) {
        detach(ws);
        try {
          ws.close(1000);
        } catch {
          // Already closing.
        }
      }
      finish(disconnected("Client closed"));
      if (wasOpen) {
        runAll(closeListeners, 1000, "");
      }
    },
  };

  connect(true);
  return client as unknown as ZocketClient<C>;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
