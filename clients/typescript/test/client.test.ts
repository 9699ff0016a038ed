import assert from "node:assert/strict";
import { afterEach, test as nodeTest } from "node:test";
import { WebSocket } from "ws";
import {
  createClient,
  ZocketError,
  type ClientOptions,
  type Contract,
  type ZocketClient,
} from "zocket-java-client";
import { countingWebSocket, Queue, startServer, WAIT_MS, type Peer, type TestServer } from "./helpers.js";
import { contract as chat } from "./types/chat.js";
import { contract as full } from "./types/full.js";

/** Every test is bounded in time, and every client and server it made is closed after it. */
const TEST_TIMEOUT_MS = 20_000;
const clients = new Set<{ close(): void }>();
const servers = new Set<TestServer>();

function test(name: string, ...rest: [() => Promise<void> | void] | [{ skip?: boolean }, () => Promise<void> | void]): void {
  const [options, fn] = rest.length === 1 ? [{}, rest[0]] : rest;
  nodeTest(name, { timeout: TEST_TIMEOUT_MS, ...options }, fn);
}

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

/** createClient, closed after the test. */
function newClient<C extends Contract>(contract: C, url: string, options: ClientOptions<C> = {}): ZocketClient<C> {
  const created = createClient(contract, url, options);
  clients.add(created);
  return created;
}

/** startServer, closed after the test. */
async function newServer(accept?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(accept);
  servers.add(started);
  return started;
}

/** A promise that fails after `ms` unless `promise` settles first. */
function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const valid = { roomId: "general", userName: "Bob", content: "hi", timestamp: "2026-11-25T18:43:13.464Z" };

/** A ZocketError check for assert.throws/rejects. */
function zocketError(code: string, check: (e: ZocketError) => void = () => {}) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ZocketError, `expected a ZocketError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check(error);
    return true;
  };
}

/** Starts a server and a client of `contract` on it; waits for both ends unless told not to. */
async function connected<C extends Contract>(
  contract: C,
  options: ClientOptions<C> = {},
  server?: TestServer,
): Promise<{ server: TestServer; client: ZocketClient<C>; peer: Peer; errors: Queue<unknown>; done: () => Promise<void> }> {
  const srv = server ?? (await newServer());
  const client = newClient(contract, srv.url, { WebSocket, reconnect: false, ...options });
  const errors = new Queue<unknown>();
  client.onError(errors.push);
  const peer = await srv.peers.next();
  await within(client.opened(), "opened");
  return {
    server: srv,
    client,
    peer,
    errors,
    done: async () => {
      client.close();
      await srv.close();
    },
  };
}

test("a send carries type and payload and no rpcId; a route without payload sends no payload key", async () => {
  const { client, peer, done } = await connected(chat);
  try {
    client.send.rooms.join({ roomId: "general" });
    client.send.rooms.message({ roomId: "general", content: "hi" });
    assert.deepEqual(await peer.next(), { type: "rooms.join", payload: { roomId: "general" } });
    assert.deepEqual(await peer.next(), { type: "rooms.message", payload: { roomId: "general", content: "hi" } });
  } finally {
    await done();
  }
  const second = await connected(full);
  try {
    second.client.send.hello();
    second.client.send.admin.users.kick({ userName: "bob" });
    assert.deepEqual(await second.peer.next(), { type: "hello" });
    assert.deepEqual(await second.peer.next(), { type: "admin.users.kick", payload: { userName: "bob" } });
  } finally {
    await second.done();
  }
});

test("a call gets its own reply, with unique rpcIds and unknown keys ignored", async () => {
  const { client, peer, errors, done } = await connected(full);
  try {
    const first = client.send.orders.place({ customer: "c", items: [{ name: "tea", quantity: 2 }] });
    const second = client.send.ping();
    const third = client.send.reset();
    const m1 = await peer.next();
    const m2 = await peer.next();
    const m3 = await peer.next();
    assert.deepEqual(m1, { type: "orders.place", payload: { customer: "c", items: [{ name: "tea", quantity: 2 }] }, rpcId: m1["rpcId"] });
    assert.deepEqual(m2, { type: "ping", rpcId: m2["rpcId"] });
    assert.deepEqual(m3, { type: "reset", rpcId: m3["rpcId"] });
    const ids = [m1["rpcId"], m2["rpcId"], m3["rpcId"]];
    assert.ok(ids.every((id) => typeof id === "string" && id !== ""));
    assert.equal(new Set(ids).size, 3);
    // Answered out of order; a call without reply gets no payload.
    peer.send({ type: "__rpc_res", rpcId: m3["rpcId"] });
    peer.send({ type: "__rpc_res", payload: "pong", rpcId: m2["rpcId"], extra: { ignored: true } });
    peer.send({ type: "__rpc_res", payload: { orderId: "o-1" }, rpcId: m1["rpcId"] });
    assert.equal(await third, undefined);
    assert.equal(await second, "pong");
    assert.deepEqual(await first, { orderId: "o-1" });
    assert.equal(errors.size, 0);
  } finally {
    await done();
  }
});

test("an error reply rejects with its code, message and details", async () => {
  const { client, peer, done } = await connected(chat);
  try {
    const invalid = client.send.rooms.members({ roomId: "general" });
    const notMember = client.send.rooms.members({ roomId: "secret" });
    const r1 = await peer.next();
    const r2 = await peer.next();
    peer.send({
      type: "__rpc_res",
      rpcId: r1["rpcId"],
      error: { code: "INVALID_PAYLOAD", message: "roomId: must not be null", details: [{ path: "roomId", message: "must not be null" }] },
    });
    peer.send({ type: "__rpc_res", rpcId: r2["rpcId"], error: { code: "NOT_A_MEMBER", message: "You are not in room secret" } });
    await assert.rejects(
      invalid,
      zocketError("INVALID_PAYLOAD", (e) => {
        assert.equal(e.message, "roomId: must not be null");
        assert.deepEqual(e.details, [{ path: "roomId", message: "must not be null" }]);
        assert.equal(e.route, "rooms.members");
      }),
    );
    await assert.rejects(
      notMember,
      zocketError("NOT_A_MEMBER", (e) => {
        assert.equal(e.message, "You are not in room secret");
        assert.deepEqual(e.details, []);
      }),
    );
  } finally {
    await done();
  }
});

test("calls time out: per-call option over the route's timeoutMs over callTimeoutMs; a late reply is ignored", async () => {
  const { client, peer, errors, done } = await connected(full, { callTimeoutMs: 40 });
  try {
    const started = Date.now();
    await assert.rejects(client.send.ping(), zocketError("TIMEOUT", (e) => assert.match(e.message, /ping .*40 ms/)));
    await assert.rejects(client.send.orders.slow({ text: "x" }), zocketError("TIMEOUT", (e) => assert.match(e.message, /60 ms/)));
    await assert.rejects(
      client.send.orders.slow({ text: "y" }, { timeoutMs: 30 }),
      zocketError("TIMEOUT", (e) => assert.match(e.message, /30 ms/)),
    );
    assert.ok(Date.now() - started >= 120, "the timeouts waited");
    const late = await peer.next();
    assert.equal(late["type"], "ping");
    // The late reply is dropped quietly; the marker event after it is delivered.
    const marker = new Queue<string>();
    client.on.noted((note) => marker.push(note.text));
    peer.send({ type: "__rpc_res", payload: "pong", rpcId: late["rpcId"] });
    peer.send({ type: "noted", payload: { text: "marker" } });
    assert.equal(await marker.next(), "marker");
    assert.equal(errors.size, 0);
    // A call that gets its reply in time still works after the timeouts.
    const pong = client.send.ping({ timeoutMs: 5_000 });
    await peer.next();
    await peer.next();
    const m = await peer.next();
    peer.send({ type: "__rpc_res", payload: "pong", rpcId: m["rpcId"] });
    assert.equal(await pong, "pong");
  } finally {
    await done();
  }
});

test("an invalid outgoing payload throws or rejects with INVALID_PAYLOAD and nothing is sent", async () => {
  const { client, peer, done } = await connected(full);
  try {
    assert.throws(
      () => client.send.notes.add({ text: 42 } as never),
      zocketError("INVALID_PAYLOAD", (e) => {
        assert.equal(e.route, "notes.add");
        assert.match(e.message, /notes\.add/);
        assert.deepEqual(e.details.map((d) => d.path), ["text"]);
      }),
    );
    assert.throws(
      () => client.send.notes.add(null as never),
      zocketError("INVALID_PAYLOAD", (e) => assert.deepEqual(e.details.map((d) => d.path), [""])),
    );
    await assert.rejects(
      client.send.orders.place({ customer: "c", items: [{ name: "ok", quantity: 1 }, { name: "", quantity: 1.5 }] }),
      zocketError("INVALID_PAYLOAD", (e) =>
        assert.deepEqual(e.details.map((d) => d.path).sort(), ["items[1].name", "items[1].quantity"]),
      ),
    );
    await assert.rejects(
      client.send.admin.users.ban({} as never),
      zocketError("INVALID_PAYLOAD", (e) => assert.deepEqual(e.details.map((d) => d.path), ["userName"])),
    );
    client.send.notes.add({ text: "marker" });
    assert.deepEqual(await peer.next(), { type: "notes.add", payload: { text: "marker" } });
  } finally {
    await done();
  }
});

test("the validated payload is sent: unknown keys stripped", async () => {
  const { client, peer, done } = await connected(full);
  try {
    client.send.notes.add({ text: "x", secret: "not in the contract" } as never);
    assert.deepEqual(await peer.next(), { type: "notes.add", payload: { text: "x" } });
  } finally {
    await done();
  }
});

test("an invalid incoming event goes to onError and its listeners do not run", async () => {
  const { client, peer, errors, done } = await connected(chat);
  try {
    const seen = new Queue<string>();
    client.on.rooms.onMessage((m) => seen.push(m.content));
    peer.send({ type: "rooms.onMessage", payload: { ...valid, timestamp: "yesterday" } });
    peer.send({ type: "rooms.onMessage", payload: { ...valid, content: "marker" }, extra: 1 });
    const error = await errors.next();
    assert.ok(error instanceof ZocketError);
    assert.equal(error.code, "INVALID_PAYLOAD");
    assert.equal(error.route, "rooms.onMessage");
    assert.match(error.message, /rooms\.onMessage/);
    assert.deepEqual(error.details.map((d) => d.path), ["timestamp"]);
    assert.equal(await seen.next(), "marker");
    assert.equal(seen.size, 0);
  } finally {
    await done();
  }
});

test("malformed messages go to onError as INVALID_MESSAGE; unknown events are ignored", async () => {
  const { client, peer, errors, done } = await connected(chat);
  try {
    const seen = new Queue<string>();
    client.on.rooms.onMessage((m) => seen.push(m.content));
    peer.send("not json");
    peer.send("[1,2]");
    peer.send(JSON.stringify({ payload: 1 }));
    peer.send(JSON.stringify({ type: 5 }));
    peer.send(JSON.stringify({ type: "__rpc_res", payload: 1 }));
    peer.socket.send(Buffer.from("binary"), { binary: true });
    peer.send({ type: "rooms.onSomethingNew", payload: { x: 1 } });
    peer.send({ type: "__rpc_res", rpcId: "never-sent", payload: 1 });
    peer.send({ type: "rooms.onMessage", payload: { ...valid, content: "marker" } });
    assert.equal(await seen.next(), "marker");
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const error = await errors.next();
      assert.ok(error instanceof ZocketError);
      codes.push(error.code);
    }
    assert.deepEqual(codes, Array(6).fill("INVALID_MESSAGE"));
    assert.equal(errors.size, 0);
    assert.equal(client.state, "open");
  } finally {
    await done();
  }
});

test("an invalid reply rejects the call with INVALID_PAYLOAD", async () => {
  const { client, peer, done } = await connected(chat);
  try {
    const call = client.send.rooms.members({ roomId: "general" });
    const m = await peer.next();
    peer.send({ type: "__rpc_res", payload: [1, "Bob"], rpcId: m["rpcId"] });
    await assert.rejects(
      call,
      zocketError("INVALID_PAYLOAD", (e) => {
        assert.match(e.message, /reply of rooms\.members/);
        assert.deepEqual(e.details.map((d) => d.path), ["[0]"]);
      }),
    );
  } finally {
    await done();
  }
});

test("validate: false sends, delivers and resolves without checking", async () => {
  const { client, peer, errors, done } = await connected(chat, { validate: false, headers: { "user-name": 5 as never } });
  try {
    assert.equal(peer.query.get("user-name"), "5");
    client.send.rooms.join({ roomId: 42 } as never);
    assert.deepEqual(await peer.next(), { type: "rooms.join", payload: { roomId: 42 } });
    const seen = new Queue<unknown>();
    client.on.rooms.onMessage((m) => seen.push(m));
    peer.send({ type: "rooms.onMessage", payload: { roomId: 1 } });
    assert.deepEqual(await seen.next(), { roomId: 1 });
    const call = client.send.rooms.members({ roomId: "general" });
    const m = await peer.next();
    peer.send({ type: "__rpc_res", payload: { not: "an array" }, rpcId: m["rpcId"] });
    assert.deepEqual(await call, { not: "an array" });
    assert.equal(errors.size, 0);
  } finally {
    await done();
  }
});

test("headers become URL query parameters with x-zocket-version=1", async () => {
  const server = await newServer();
  try {
    const alice = newClient(chat, `${server.url}?app=demo#ignored`, {
      WebSocket,
      reconnect: false,
      headers: { "user-name": "Alice B&C=é" },
    });
    const peer = await server.peers.next();
    await within(alice.opened(), "opened");
    assert.equal(peer.requestUrl, "/?app=demo&user-name=Alice%20B%26C%3D%C3%A9&x-zocket-version=1");
    assert.equal(peer.query.get("user-name"), "Alice B&C=é");
    alice.close();

    const other = newClient(full, server.url, {
      WebSocket,
      reconnect: false,
      headers: { "user-name": null, token: undefined, n: 5, flag: true, "x-zocket-version": "2" },
    });
    const peer2 = await server.peers.next();
    await within(other.opened(), "opened");
    assert.equal(peer2.requestUrl, "/?n=5&flag=true&x-zocket-version=2");
    other.close();

    const counting = countingWebSocket();
    assert.throws(
      () => newClient(chat, server.url, { WebSocket: counting.WebSocket, headers: { "user-name": 5 as never } }),
      zocketError("INVALID_PAYLOAD", (e) => assert.deepEqual(e.details.map((d) => d.path), ["user-name"])),
    );
    assert.equal(counting.count(), 0);
  } finally {
    await server.close();
  }
});

test("events without payload and in deep namespaces reach their listeners; listener errors go to onError", async () => {
  const { client, peer, errors, done } = await connected(full);
  try {
    const seen = new Queue<string>();
    client.on.tick((...args: unknown[]) => seen.push(`tick/${args.length}`));
    const off = client.on.admin.users.onBanned(() => seen.push("unsubscribed listener ran"));
    client.on.admin.users.onBanned(() => {
      throw new Error("boom");
    });
    client.on.admin.users.onBanned((ban) => seen.push(`banned ${ban.userName} ${ban.minutes}`));
    client.on.admin.users.onReset(() => seen.push("reset"));
    off();
    off();
    peer.send({ type: "tick", payload: "ignored" });
    peer.send({ type: "admin.users.onBanned", payload: { userName: "bob", minutes: 5 } });
    peer.send({ type: "admin.users.onReset" });
    assert.equal(await seen.next(), "tick/0");
    assert.equal(await seen.next(), "banned bob 5");
    assert.equal(await seen.next(), "reset");
    const error = await errors.next();
    assert.ok(error instanceof Error);
    assert.equal(error.message, "boom");
    assert.equal(errors.size, 0);
  } finally {
    await done();
  }
});

test("reconnects after the server closes the socket: onClose, onOpen again, buffered sends after onOpen", async () => {
  const server = await newServer();
  const client = newClient(chat, server.url, {
    WebSocket,
    headers: { "user-name": "Alice" },
    reconnect: { initialDelayMs: 20, maxDelayMs: 40 },
    whileDisconnected: { buffer: 10 },
  });
  try {
    const opens = new Queue<string>();
    const closes = new Queue<[number, string, string]>();
    client.onOpen(() => {
      client.send.rooms.join({ roomId: "general" });
      opens.push(client.state);
    });
    client.onClose((code, reason) => closes.push([code, reason, client.state]));
    const first = await server.peers.next();
    assert.equal(await opens.next(), "open");
    assert.deepEqual(await first.next(), { type: "rooms.join", payload: { roomId: "general" } });

    const pending = client.send.rooms.members({ roomId: "general" });
    assert.equal((await first.next())["type"], "rooms.members");
    first.socket.close(1001, "restart");
    await assert.rejects(pending, zocketError("DISCONNECTED"));
    assert.deepEqual(await closes.next(), [1001, "restart", "reconnecting"]);
    assert.equal(client.state, "reconnecting");

    // Not connected: sends are kept, calls fail at once.
    client.send.rooms.message({ roomId: "general", content: "one" });
    client.send.rooms.message({ roomId: "general", content: "two" });
    await assert.rejects(client.send.rooms.members({ roomId: "general" }), zocketError("DISCONNECTED"));
    const opened = client.opened();

    const second = await server.peers.next();
    assert.equal(second.query.get("user-name"), "Alice");
    await within(opened, "opened");
    assert.equal(await opens.next(), "open");
    assert.deepEqual(await second.next(), { type: "rooms.join", payload: { roomId: "general" } });
    assert.deepEqual(await second.next(), { type: "rooms.message", payload: { roomId: "general", content: "one" } });
    assert.deepEqual(await second.next(), { type: "rooms.message", payload: { roomId: "general", content: "two" } });
    assert.equal(client.state, "open");
  } finally {
    client.close();
    await server.close();
  }
});

test("close() closes with 1000, fails pending calls, sends and opened(), and runs onClose once", async () => {
  const { client, peer, done } = await connected(chat, { reconnect: { initialDelayMs: 10, maxDelayMs: 10 } });
  try {
    const closes = new Queue<[number, string]>();
    client.onClose((code, reason) => closes.push([code, reason]));
    const pending = client.send.rooms.members({ roomId: "general" });
    await peer.next();
    client.close();
    client.close();
    assert.equal(client.state, "closed");
    await assert.rejects(pending, zocketError("DISCONNECTED"));
    assert.deepEqual(await closes.next(), [1000, ""]);
    assert.equal(await within(peer.closed, "closed"), 1000);
    assert.throws(() => client.send.rooms.join({ roomId: "general" }), zocketError("DISCONNECTED"));
    await assert.rejects(client.send.rooms.members({ roomId: "general" }), zocketError("DISCONNECTED"));
    await assert.rejects(within(client.opened(), "opened"), zocketError("DISCONNECTED"));
    assert.equal(closes.size, 0);
  } finally {
    await done();
  }
});

test("close() while reconnecting stops reconnecting", async () => {
  const server = await newServer();
  const a = countingWebSocket();
  const b = countingWebSocket();
  // A would retry within [20, 40) ms; B, the marker, within [100, 200) ms of a later drop.
  const clientA = newClient(full, server.url, { WebSocket: a.WebSocket, headers: { name: "A" }, reconnect: { initialDelayMs: 40, maxDelayMs: 40 } });
  const clientB = newClient(full, server.url, { WebSocket: b.WebSocket, headers: { name: "B" }, reconnect: { initialDelayMs: 200, maxDelayMs: 200 } });
  try {
    const peers = new Map<string, Peer>();
    for (let i = 0; i < 2; i++) {
      const peer = await server.peers.next();
      peers.set(peer.query.get("name") ?? "", peer);
    }
    await within(Promise.all([clientA.opened(), clientB.opened()]), "opened");
    const aClosed = new Queue<string>();
    clientA.onClose(() => aClosed.push(clientA.state));
    peers.get("A")!.socket.close(1001, "bye");
    assert.equal(await aClosed.next(), "reconnecting");
    clientA.close();
    assert.equal(clientA.state, "closed");
    peers.get("B")!.socket.close(1001, "bye");
    const again = await server.peers.next();
    assert.equal(again.query.get("name"), "B");
    assert.equal(a.count(), 1, "A made no new attempt");
    assert.equal(b.count(), 2);
    await assert.rejects(within(clientA.opened(), "opened"), zocketError("DISCONNECTED"));
  } finally {
    clientA.close();
    clientB.close();
    await server.close();
  }
});

test("gives up after maxAttempts failed reconnects and closes", async () => {
  const { client, server, errors, done } = await connected(chat, { reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 2 } });
  try {
    const closes = new Queue<number>();
    client.onClose((code) => closes.push(code));
    await server.close();
    assert.equal(await closes.next(), 1006);
    const messages: string[] = [];
    for (let i = 0; i < 3; i++) {
      const error = await errors.next();
      assert.ok(error instanceof ZocketError);
      assert.equal(error.code, "DISCONNECTED");
      messages.push(error.message);
    }
    assert.match(messages[0]!, /Could not connect/);
    assert.match(messages[1]!, /Could not connect/);
    assert.match(messages[2]!, /Gave up reconnecting .* after 2 failed attempts/);
    assert.equal(client.state, "closed");
    await assert.rejects(within(client.opened(), "opened"), zocketError("DISCONNECTED", (e) => assert.match(e.message, /Gave up/)));
  } finally {
    await done();
  }
});

test("a refused first connection closes the client, or is retried with retryFirstConnect", async () => {
  const server = await newServer(() => false);
  try {
    const client = newClient(chat, server.url, { WebSocket });
    const errors = new Queue<unknown>();
    client.onError(errors.push);
    await assert.rejects(within(client.opened(), "opened"), zocketError("DISCONNECTED", (e) => assert.match(e.message, /400/)));
    assert.equal(client.state, "closed");
    const error = await errors.next();
    assert.ok(error instanceof ZocketError && /Could not connect to ws:\/\/127\.0\.0\.1:\d+\/: .*400/.test(error.message), String(error));
    assert.equal(server.requests(), 1);

    const retrying = newClient(chat, server.url, {
      WebSocket,
      retryFirstConnect: true,
      reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 2 },
    });
    assert.equal(retrying.state, "connecting");
    await assert.rejects(within(retrying.opened(), "opened"), zocketError("DISCONNECTED", (e) => assert.match(e.message, /Gave up/)));
    assert.equal(server.requests(), 4);
  } finally {
    await server.close();
  }
});

test("while disconnected: sends throw by default, or are buffered up to the limit and sent after onOpen", async () => {
  const server = await newServer();
  try {
    const failing = newClient(chat, server.url, { WebSocket });
    assert.equal(failing.state, "connecting");
    assert.throws(() => failing.send.rooms.join({ roomId: "general" }), zocketError("DISCONNECTED"));
    await assert.rejects(failing.send.rooms.members({ roomId: "general" }), zocketError("DISCONNECTED"));
    await server.peers.next();
    failing.close();

    const strict = newClient(full, server.url, { WebSocket, whileDisconnected: { buffer: 1 } });
    strict.send.notes.add({ text: "kept" });
    assert.throws(() => strict.send.notes.add({ text: "over" }), zocketError("DISCONNECTED", (e) => assert.match(e.message, /full/)));
    const strictPeer = await server.peers.next();
    assert.deepEqual(await strictPeer.next(), { type: "notes.add", payload: { text: "kept" } });
    strict.close();

    const dropping = newClient(full, server.url, {
      WebSocket,
      whileDisconnected: { buffer: 2, overflow: "dropOldest" },
    });
    dropping.onOpen(() => dropping.send.hello());
    for (const text of ["a", "b", "c"]) {
      dropping.send.notes.add({ text });
    }
    const peer = await server.peers.next();
    assert.deepEqual(await peer.next(), { type: "hello" });
    assert.deepEqual(await peer.next(), { type: "notes.add", payload: { text: "b" } });
    assert.deepEqual(await peer.next(), { type: "notes.add", payload: { text: "c" } });
    dropping.close();
  } finally {
    await server.close();
  }
});

test("createClient without any WebSocket implementation fails clearly", { skip: "WebSocket" in globalThis }, () => {
  assert.throws(() => newClient(chat, "ws://127.0.0.1:1/"), /No WebSocket implementation.*WebSocket option/s);
});

test("createClient checks its options", () => {
  const bad: ClientOptions<typeof chat>[] = [
    { callTimeoutMs: 0 },
    { callTimeoutMs: Number.NaN },
    { connectTimeoutMs: -1 },
    { reconnect: { initialDelayMs: 0 } },
    { reconnect: { initialDelayMs: 100, maxDelayMs: 50 } },
    { reconnect: { maxAttempts: 0 } },
    { reconnect: { maxAttempts: 1.5 } },
    { whileDisconnected: { buffer: -1 } },
  ];
  for (const options of bad) {
    assert.throws(() => newClient(chat, "ws://127.0.0.1:1/", { WebSocket, ...options }), RangeError, JSON.stringify(options));
  }
  assert.throws(() => newClient(chat, "not a url", { WebSocket }), TypeError);
  assert.throws(() => newClient({ routes: { x: { kind: "stream" } }, events: {} } as never, "ws://127.0.0.1:1/", { WebSocket }), /Invalid contract at x/);
});
