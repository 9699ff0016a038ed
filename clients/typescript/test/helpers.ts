import type { IncomingMessage } from "node:http";
import { afterEach, test as nodeTest } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import {
  createClient,
  type ClientOptions,
  type Contract,
  type WebSocketConstructor,
  type ZocketClient,
} from "zocket-java-client";

/** How long any wait in the tests may take before it fails. */
export const WAIT_MS = 5_000;

/** A FIFO whose `next()` waits, at most `timeoutMs`, for the next item. */
export class Queue<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];

  push = (item: T): void => {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(item);
    } else {
      this.items.push(item);
    }
  };

  get size(): number {
    return this.items.length;
  }

  next(timeoutMs = WAIT_MS, what = "an item"): Promise<T> {
    if (this.items.length > 0) {
      return Promise.resolve(this.items.shift() as T);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter = (item: T): void => {
        clearTimeout(timer);
        resolve(item);
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
        }
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

/** One connection accepted by the test server. */
export interface Peer {
  readonly socket: WebSocket;
  /** The request's path and query, as sent. */
  readonly requestUrl: string;
  readonly query: URLSearchParams;
  /** Each text frame the client sent, parsed from JSON. */
  readonly messages: Queue<Record<string, unknown>>;
  /** Resolves with the close code when the connection closes. */
  readonly closed: Promise<number>;
  /** Sends an object as JSON, or a string as it is. */
  send(message: unknown): void;
  next(what?: string): Promise<Record<string, unknown>>;
  /** Sends the recovery extension's `__session` message. */
  session(session: string | null, pos: string | null, recovered: boolean): void;
  /** Drops the connection abruptly (no close frame), as a network failure would. */
  terminate(): void;
}

export interface TestServer {
  readonly url: string;
  readonly peers: Queue<Peer>;
  /** How many upgrade requests arrived (accepted or not). */
  readonly requests: () => number;
  /** Stops listening at once, then drops every connection. */
  close(): Promise<void>;
}

/** A refusal of a handshake: the HTTP status and the body. */
export interface Refusal {
  readonly status: number;
  readonly body: string;
}

/**
 * A `ws` server on 127.0.0.1 and an ephemeral port; `accept` may refuse handshakes: with 400
 * (false) or with a status and body of its own.
 */
export async function startServer(
  accept: (request: IncomingMessage) => boolean | Refusal = () => true,
): Promise<TestServer> {
  let requests = 0;
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    verifyClient: (info, done) => {
      requests += 1;
      const verdict = accept(info.req);
      if (verdict === true) {
        done(true);
      } else if (verdict === false) {
        done(false, 400, "Invalid headers");
      } else {
        done(false, verdict.status, verdict.body);
      }
    },
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const peers = new Queue<Peer>();
  wss.on("connection", (socket, request) => {
    const messages = new Queue<Record<string, unknown>>();
    socket.on("message", (data, isBinary) => {
      messages.push(isBinary ? { binary: true } : (JSON.parse(String(data)) as Record<string, unknown>));
    });
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    const requestUrl = request.url ?? "";
    peers.push({
      socket,
      requestUrl,
      query: new URL(requestUrl, "http://127.0.0.1").searchParams,
      messages,
      closed,
      send: (message) => socket.send(typeof message === "string" ? message : JSON.stringify(message)),
      next: (what = "message from the client") => messages.next(WAIT_MS, what),
      session: (session, pos, recovered) =>
        socket.send(JSON.stringify({ type: "__session", payload: { session, pos, recovered } })),
      terminate: () => socket.terminate(),
    });
  });
  const address = wss.address();
  if (address === null || typeof address === "string") {
    throw new Error(`unexpected address ${address}`);
  }
  return {
    url: `ws://127.0.0.1:${address.port}/`,
    peers,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        wss.close(() => resolve());
        for (const socket of wss.clients) {
          socket.terminate();
        }
      }),
  };
}

/** A `ws` WebSocket subclass that counts how often it was constructed. */
export function countingWebSocket(): { WebSocket: WebSocketConstructor; count: () => number } {
  let count = 0;
  class Counting extends WebSocket {
    constructor(url: string) {
      super(url);
      count += 1;
    }
  }
  return { WebSocket: Counting, count: () => count };
}

/** Every test is bounded in time, and every client and server it made is closed after it. */
const TEST_TIMEOUT_MS = 20_000;
const clients = new Set<{ close(): void }>();
const servers = new Set<TestServer>();

afterEach(async () => {
  for (const client of clients) {
    client.close();
  }
  clients.clear();
  for (const server of servers) {
    await server.close();
  }
  servers.clear();
});

/** A test bounded by TEST_TIMEOUT_MS. */
export function test(
  name: string,
  ...rest: [() => Promise<void> | void] | [{ skip?: boolean }, () => Promise<void> | void]
): void {
  const [options, fn] = rest.length === 1 ? [{}, rest[0]] : rest;
  nodeTest(name, { timeout: TEST_TIMEOUT_MS, ...options }, fn);
}

/** createClient, closed after the test. */
export function newClient<C extends Contract>(contract: C, url: string, options: ClientOptions<C> = {}): ZocketClient<C> {
  const created = createClient(contract, url, options);
  clients.add(created);
  return created;
}

/** startServer, closed after the test. */
export async function newServer(accept?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(accept);
  servers.add(started);
  return started;
}

/** A promise that fails after `ms` unless `promise` settles first. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
