import type { z } from "zod";

/** One failed constraint: where (`items[0].name`, `""` for the payload itself) and what. */
export interface Violation {
  readonly path: string;
  readonly message: string;
}

/**
 * An error of the protocol: an error reply of the server (`INVALID_PAYLOAD`, `NOT_FOUND`,
 * `UNAUTHORIZED`, `FORBIDDEN`, `TIMEOUT`, `RATE_LIMITED`, `LIMIT_EXCEEDED`, `INTERNAL` or an
 * application's own code) or one raised by the client (`TIMEOUT`, `DISCONNECTED`,
 * `INVALID_PAYLOAD`, `INVALID_MESSAGE`).
 */
export class ZocketError extends Error {
  /** The error code, e.g. `NOT_FOUND`. */
  readonly code: string;
  /** The failed constraints; empty when there are none. */
  readonly details: readonly Violation[];
  /** The route or event concerned, when known (e.g. `rooms.join`). */
  readonly route: string | undefined;

  constructor(code: string, message: string, details: readonly Violation[] = [], route?: string) {
    super(message);
    this.name = "ZocketError";
    this.code = code;
    this.details = details;
    this.route = route;
  }
}

/** Writes a zod issue path like Java does: `items[0].name`; `""` for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") {
      out += `[${segment}]`;
    } else {
      const name = typeof segment === "symbol" ? (segment.description ?? "") : segment;
      out += out === "" ? name : `.${name}`;
    }
  }
  return out;
}

/** The violations of a failed zod parse. */
export function violations(error: z.core.$ZodError): Violation[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** An INVALID_PAYLOAD error for a failed zod parse; `what` says of what, e.g. "payload of rooms.join". */
export function invalidPayload(what: string, error: z.core.$ZodError, route?: string): ZocketError {
  const details = violations(error);
  const summary = details
    .map((d) => (d.path === "" ? d.message : `${d.path}: ${d.message}`))
    .join("; ");
  return new ZocketError("INVALID_PAYLOAD", `Invalid ${what}: ${summary}`, details, route);
}

/**
 * The server refused the handshake with HTTP 401 (code `UNAUTHORIZED`) or 403 (`FORBIDDEN`): its
 * `Authenticator` did not accept the credentials, e.g. an expired token. The client does not retry
 * it: it goes to state `idle` until the application calls `connect()` again (after refreshing what
 * its `headers` function returns). Only seen where the WebSocket implementation exposes the
 * handshake's response: `ws` in Node does; the browser's WebSocket API does not (there a refusal
 * is an ordinary failed attempt).
 */
export class HandshakeError extends ZocketError {
  /** The HTTP status of the refusal: 401 or 403. */
  readonly status: number;

  constructor(status: number, message: string, details: readonly Violation[] = []) {
    super(status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", message, details);
    this.name = "HandshakeError";
    this.status = status;
  }
}
