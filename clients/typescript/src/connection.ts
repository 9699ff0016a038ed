import { HandshakeError, type Violation } from "./errors.js";
import { isRecord, startTimer, type Timer } from "./timers.js";
import type { WebSocketConstructor, WebSocketLike } from "./types.js";

/** `WebSocket.OPEN`. */
const OPEN = 1;
/** At most this much of a refused handshake's body is read. */
const MAX_REFUSAL_BODY = 4_096;

/** What one connection attempt reports; nothing after `close()`, and at most one of closed/failed. */
export interface ConnectionEvents {
  open(): void;
  message(data: unknown): void;
  /** The open connection closed (or was found dead). */
  closed(code: number, reason: string): void;
  /** The attempt failed before the socket opened; `refusal` when the server refused it with 401/403. */
  failed(why: string, refusal?: HandshakeError): void;
}

/** The part of `ws`'s WebSocket (an EventEmitter) that shows a refused handshake's response. */
interface ResponseEmitter {
  on(event: "unexpected-response", listener: (request: unknown, response: IncomingResponse) => void): unknown;
}

interface IncomingResponse {
  readonly statusCode?: number;
  setEncoding?(encoding: string): void;
  on(event: "data" | "end" | "error", listener: (chunk?: unknown) => void): unknown;
}

/**
 * One WebSocket connection attempt and, once open, the connection: the connect timeout, the events
 * of its socket, and what can be seen of a refused handshake. With `ws` (Node) the response of a
 * refusal is read: its status and the server's `{"error":...,"details":[...]}`; browsers show
 * nothing of it (an error event, then close 1006).
 */
export class Connection {
  private readonly ws: WebSocketLike;
  private connectTimer: Timer | undefined;
  private lastError: string | undefined;
  private done = false;
  /** Whether the socket opened. */
  isOpen = false;

  /** @throws what the WebSocket constructor throws (a malformed URL, for instance) */
  constructor(
    WebSocketImpl: WebSocketConstructor,
    url: string,
    connectTimeoutMs: number,
    private readonly events: ConnectionEvents,
  ) {
    const ws = new WebSocketImpl(url);
    this.ws = ws;
    this.connectTimer = startTimer(connectTimeoutMs, () => {
      this.fail(`no connection after ${connectTimeoutMs} ms`);
    });
    ws.onopen = () => {
      if (this.done) {
        return;
      }
      clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
      this.isOpen = true;
      events.open();
    };
    ws.onmessage = (event: { data?: unknown }) => {
      if (!this.done) {
        events.message(event.data);
      }
    };
    ws.onerror = (event: unknown) => {
      this.lastError = errorText(event) ?? this.lastError;
    };
    ws.onclose = (event: { code?: unknown; reason?: unknown }) => {
      if (this.done) {
        return;
      }
      const code = typeof event.code === "number" ? event.code : 1006;
      const reason = typeof event.reason === "string" ? event.reason : "";
      const wasOpen = this.isOpen;
      this.end();
      if (wasOpen) {
        events.closed(code, reason);
      } else {
        const refusal = refusalOf(this.lastError);
        events.failed(this.lastError ?? `closed with ${code}${reason ? ` ${reason}` : ""}`, refusal);
      }
    };
    const emitter = ws as unknown as Partial<ResponseEmitter>;
    if (typeof emitter.on === "function") {
      emitter.on("unexpected-response", (_request, response) => this.refused(response));
    }
  }

  /** Sends a frame on the open connection; false when it is not open. */
  send(text: string): boolean {
    if (this.done || !this.isOpen || this.ws.readyState !== OPEN) {
      return false;
    }
    try {
      this.ws.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the socket; no event is reported afterwards. */
  close(code?: number, reason?: string): void {
    if (this.done) {
      return;
    }
    this.end();
    try {
      if (code === undefined) {
        this.ws.close();
      } else {
        this.ws.close(code, reason);
      }
    } catch {
      // Already closing, or a connecting socket that some implementations refuse to close.
    }
  }

  /** Ends the attempt as failed, closing the socket. */
  private fail(why: string, refusal?: HandshakeError): void {
    if (this.done) {
      return;
    }
    this.close();
    this.events.failed(why, refusal);
  }

  /** `ws` read a response other than the upgrade: reads its body, then fails the attempt. */
  private refused(response: IncomingResponse): void {
    const status = typeof response.statusCode === "number" ? response.statusCode : 0;
    let body = "";
    let settled = false;
    const finish = (): void => {
      if (settled) {
        return;
      }
      settled = true;
      const parsed = parseRefusal(body);
      const what = `HTTP ${status}${parsed.message ? `: ${parsed.message}` : ""}`;
      this.fail(what, status === 401 || status === 403 ? new HandshakeError(status, parsed.message || `HTTP ${status}`, parsed.details) : undefined);
    };
    response.setEncoding?.("utf8");
    response.on("data", (chunk) => {
      if (body.length < MAX_REFUSAL_BODY) {
        body += String(chunk).slice(0, MAX_REFUSAL_BODY - body.length);
      }
    });
    response.on("end", finish);
    response.on("error", finish);
  }

  private end(): void {
    this.done = true;
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    // Not null: `ws` throws an error event that has no listener.
    this.ws.onopen = noop;
    this.ws.onmessage = noop;
    this.ws.onclose = noop;
    this.ws.onerror = noop;
  }
}

function noop(): void {}

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

/** A refusal that only shows in the error text of `ws`-like implementations: "Unexpected server response: 401". */
function refusalOf(error: string | undefined): HandshakeError | undefined {
  const match = error === undefined ? null : /Unexpected server response: (401|403)\b/.exec(error);
  return match ? new HandshakeError(Number(match[1]), `HTTP ${match[1]}`) : undefined;
}

/** The server's `{"error":"...","details":[...]}`, or the body as text. */
function parseRefusal(body: string): { message: string; details: Violation[] } {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed) && typeof parsed["error"] === "string") {
      const raw = parsed["details"];
      const details = Array.isArray(raw)
        ? raw.filter(isRecord).map((d) => ({
            path: typeof d["path"] === "string" ? d["path"] : "",
            message: typeof d["message"] === "string" ? d["message"] : "",
          }))
        : [];
      return { message: parsed["error"], details };
    }
  } catch {
    // Not JSON: the text itself.
  }
  return { message: body.trim().slice(0, 200), details: [] };
}
