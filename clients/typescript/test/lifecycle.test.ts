import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { z } from "zod";
import {
  HandshakeError,
  ZocketError,
  type ClientState,
  type Contract,
  type ZocketClient,
} from "zocket-java-client";
import {
  countingWebSocket,
  newClient,
  newServer,
  Queue,
  test,
  within,
  type Peer,
} from "./helpers.js";
import { contract as chat } from "./types/chat.js";

/** Liveness, credentials per connect, AbortSignal, autoConnect and onStateChange. */

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every state change of a client, as "previous>state". */
function stateLog(client: ZocketClient<Contract>): Queue<string> {
  const log = new Queue<string>();
  client.onStateChange((state: ClientState, previous: ClientState) => log.push(`${previous}>${state}`));
  return log;
}

const PONG = { type: "__pong" };

// Liveness (the x-zocket-liveness extension).

test("liveness: after the server's announcement a silent connection is pinged at half the timeout, answered pings keep it open", async () => {
  const server = await newServer();
  const client = newClient(chat, server.url, { WebSocket, reconnect: false, livenessTimeoutMs: 400 });
  const peer = await server.peers.next();
  assert.equal(peer.query.get("x-zocket-liveness"), "1");
  await within(client.opened(), "opened");
  peer.send(PONG);
  const started = Date.now();
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await peer.next(), { type: "__ping" });
    peer.send(PONG);
  }
  // Three pings answered: more than the timeout has passed and the connection is still open.
  assert.ok(Date.now() - started >= 400, `${Date.now() - started} ms`);
  assert.equal(client.state, "open");
  client.send.rooms.join({ roomId: "general" });
  assert.deepEqual(await peer.next(), { type: "rooms.join", payload: { roomId: "general" } });
});

test("liveness: a connection that stops answering is dropped as dead within the timeout (closed with 4002), then the client reconnects and resumes its session", async () => {
  const server = await newServer();
  const client = newClient(chat, server.url, {
    WebSocket,
    headers: { "user-name": "Alice" },
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    livenessTimeoutMs: 300,
  });
  const closes = new Queue<[number, string]>();
  client.onClose((code, reason) => closes.push([code, reason]));
  const log = stateLog(client);
  const first = await server.peers.next();
  await within(client.opened(), "opened");
  first.session("tok", "7", false);
  first.send(PONG);
  const silentSince = Date.now();
  // The server goes silent without closing: the ping gets no answer.
  assert.deepEqual(await first.next(), { type: "__ping" });
  const [code, reason] = await closes.next();
  const detected = Date.now() - silentSince;
  assert.equal(code, 1006);
  assert.match(reason, /No message from the server within 300 ms/);
  assert.ok(detected >= 300 && detected < 300 + 1_000, `detected after ${detected} ms`);
  assert.equal(await within(first.closed, "the dead socket closed"), 4002);

  const second = await server.peers.next();
  assert.equal(second.query.get("x-zocket-session"), "tok");
  assert.equal(second.query.get("x-zocket-pos"), "7");
  second.session("tok", "7", true);
  await within(client.opened(), "opened again");
  assert.equal(client.recovered, true);
  assert.deepEqual(
    [await log.next(), await log.next(), await log.next()],
    ["connecting>open", "open>reconnecting", "reconnecting>open"],
  );
});

test("liveness: without the server's announcement (a v1 server) the client never pings and never drops", async () => {
  const server = await newServer();
  const client = newClient(full(), server.url, { WebSocket, reconnect: false, livenessTimeoutMs: 100 });
  const log = stateLog(client);
  const peer = await server.peers.next();
  await within(client.opened(), "opened");
  // A reply that takes five times the timeout; the connection stays open and is not pinged.
  const reply = client.send.ping();
  const call = await peer.next();
  await delay(500);
  peer.send({ type: "__rpc_res", payload: "pong", rpcId: call["rpcId"] });
  assert.equal(await reply, "pong");
  client.send.hello();
  assert.deepEqual(await peer.next(), { type: "hello" }, "the first frame after the call is the marker, no __ping");
  assert.equal(client.state, "open");
  assert.equal(await log.next(), "connecting>open");
  assert.equal(log.size, 0, "no state change after connecting>open");
});

test("liveness: livenessTimeoutMs Infinity does not ask for the extension, and __pong never reaches listeners or onError", async () => {
  const server = await newServer();
  const client = newClient(chat, server.url, { WebSocket, reconnect: false, livenessTimeoutMs: Infinity });
  const errors = new Queue<unknown>();
  client.onError(errors.push);
  const peer = await server.peers.next();
  assert.equal(peer.query.has("x-zocket-liveness"), false);
  await within(client.opened(), "opened");
  peer.send(PONG);
  peer.send("not json");
  assert.match(String(await errors.next()), /not JSON/);
});

// Credentials per connect.

test("headers: a function is called before every attempt and its fresh token is sent; an async one too", async () => {
  const server = await newServer();
  let n = 0;
  const client = newClient(chat, server.url, {
    WebSocket,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    headers: () => ({ "user-name": `token-${++n}` }),
  });
  const first = await server.peers.next();
  assert.equal(first.query.get("user-name"), "token-1");
  await within(client.opened(), "opened");
  first.terminate();
  const second = await server.peers.next();
  assert.equal(second.query.get("user-name"), "token-2");
  client.close();

  let m = 0;
  const later = newClient(chat, server.url, {
    WebSocket,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    headers: async () => {
      await delay(5);
      return { "user-name": `async-${++m}` };
    },
  });
  const third = await server.peers.next();
  assert.equal(third.query.get("user-name"), "async-1");
  await within(later.opened(), "opened");
  third.socket.close(1001);
  const fourth = await server.peers.next();
  assert.equal(fourth.query.get("user-name"), "async-2");
});

test("headers: a function that throws, or returns invalid headers, fails that attempt (onError) and the next attempt calls it again", async () => {
  const server = await newServer();
  const answers: (() => unknown)[] = [
    () => {
      throw new Error("no token yet");
    },
    () => ({ "user-name": 5 }),
    () => ({ "user-name": "Alice" }),
  ];
  const client = newClient(chat, server.url, {
    WebSocket,
    retryFirstConnect: true,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    headers: (() => answers.shift()!()) as never,
  });
  const errors = new Queue<unknown>();
  client.onError(errors.push);
  const peer = await server.peers.next();
  assert.equal(peer.query.get("user-name"), "Alice");
  await within(client.opened(), "opened");
  const seen = [];
  while (errors.size > 0) {
    seen.push(String(await errors.next()));
  }
  assert.ok(seen.some((e) => /no token yet/.test(e)), seen.join("\n"));
  assert.ok(seen.some((e) => /INVALID_PAYLOAD|Invalid headers/.test(e)), seen.join("\n"));
  assert.equal(server.requests(), 1, "the failed attempts never reached the server");
});

test("a handshake refused with 401 is a HandshakeError with status and the server's message: the client goes idle, does not retry, and connect() calls the headers function again", async () => {
  let token = "expired";
  const server = await newServer((request) =>
    new URL(request.url ?? "", "http://x").searchParams.get("user-name") === "fresh"
      ? true
      : { status: 401, body: JSON.stringify({ error: "Token expired", details: [{ path: "token", message: "expired" }] }) },
  );
  const client = newClient(chat, server.url, {
    WebSocket,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    retryFirstConnect: true,
    headers: () => ({ "user-name": token }),
  });
  const errors = new Queue<unknown>();
  client.onError(errors.push);
  const log = stateLog(client);
  const refusal = await within(client.opened().then(() => undefined, (e: unknown) => e), "refused");
  assert.ok(refusal instanceof HandshakeError, String(refusal));
  assert.ok(refusal instanceof ZocketError);
  assert.equal(refusal.status, 401);
  assert.equal(refusal.code, "UNAUTHORIZED");
  assert.equal(refusal.message, "Token expired");
  assert.deepEqual(refusal.details, [{ path: "token", message: "expired" }]);
  assert.equal(await errors.next(), refusal);
  assert.equal(client.state, "idle");
  assert.equal(await log.next(), "connecting>idle");
  // Ten times the reconnect delay, for a retry loop to show itself; then connect() is the marker:
  // its request must be the server's second, the one with the fresh token.
  await delay(200);

  token = "fresh";
  await within(client.connect(), "connected with a fresh token");
  assert.equal(server.requests(), 2);
  assert.equal((await server.peers.next()).query.get("user-name"), "fresh");
  assert.deepEqual([await log.next(), await log.next()], ["idle>connecting", "connecting>open"]);

  const forbidden = await newServer(() => ({ status: 403, body: '{"error":"Not allowed"}' }));
  const other = newClient(chat, forbidden.url, { WebSocket, headers: { "user-name": "Bob" } });
  const refused = await within(other.opened().then(() => undefined, (e: unknown) => e), "refused");
  assert.ok(refused instanceof HandshakeError && refused.status === 403 && refused.code === "FORBIDDEN", String(refused));
  assert.equal(refused.message, "Not allowed");
});

// AbortSignal per call.

function full() {
  return {
    routes: {
      ping: { kind: "call" as const, reply: z.string() },
      hello: { kind: "send" as const },
    },
    events: {},
  } satisfies Contract;
}

test("an aborted call rejects at once with the signal's reason, its late reply is ignored; an already aborted signal sends nothing", async () => {
  const server = await newServer();
  const client = newClient(full(), server.url, { WebSocket, reconnect: false });
  const errors = new Queue<unknown>();
  client.onError(errors.push);
  const peer = await server.peers.next();
  await within(client.opened(), "opened");

  const controller = new AbortController();
  const call = client.send.ping({ signal: controller.signal, timeoutMs: Infinity });
  const sent = await peer.next();
  controller.abort();
  await assert.rejects(within(call, "aborted"), (e: unknown) => e instanceof Error && e.name === "AbortError");
  peer.send({ type: "__rpc_res", payload: "late", rpcId: sent["rpcId"] });

  const reason = new Error("user left");
  await assert.rejects(client.send.ping({ signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason);
  const next = client.send.ping();
  const marker = await peer.next();
  assert.notEqual(marker["rpcId"], sent["rpcId"], "the pre-aborted call was not sent");
  peer.send({ type: "__rpc_res", payload: "pong", rpcId: marker["rpcId"] });
  assert.equal(await next, "pong");
  assert.equal(errors.size, 0, "the late reply was ignored");
});

// autoConnect and onStateChange.

test("autoConnect: false stays idle without a socket until connect(); every state change is reported", async () => {
  const server = await newServer();
  const counting = countingWebSocket();
  const client = newClient(chat, server.url, {
    WebSocket: counting.WebSocket,
    autoConnect: false,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
  });
  const log = stateLog(client);
  assert.equal(client.state, "idle");
  assert.equal(counting.count(), 0);
  await assert.rejects(client.send.rooms.members({ roomId: "general" }), (e: unknown) => e instanceof ZocketError && e.code === "DISCONNECTED");
  const connecting = client.connect();
  assert.equal(client.state, "connecting");
  const peer: Peer = await server.peers.next();
  await within(connecting, "connect()");
  assert.equal(counting.count(), 1);
  await within(client.connect(), "connect() when open");
  assert.equal(counting.count(), 1, "connect() when open does not connect again");
  peer.terminate();
  await server.peers.next();
  await within(client.opened(), "reopened");
  client.close();
  assert.deepEqual(
    [await log.next(), await log.next(), await log.next(), await log.next(), await log.next()],
    ["idle>connecting", "connecting>open", "open>reconnecting", "reconnecting>open", "open>closed"],
  );
  await assert.rejects(client.connect(), (e: unknown) => e instanceof ZocketError && e.code === "DISCONNECTED");
});
