import assert from "node:assert/strict";
import { WebSocket } from "ws";
import {
  createClient,
  ZocketError,
  type ClientOptions,
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
  type TestServer,
} from "./helpers.js";
import { contract as chat } from "./types/chat.js";
import { contract as full } from "./types/full.js";


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

test("headers become URL query parameters with x-zocket-version=0.1.0, then the extensions' parameters", async () => {
  const server = await newServer();
  try {
    const alice = newClient(chat, `${server.url}?app=demo#ignored`, {
      WebSocket,
      reconnect: false,
      headers: { "user-name": "Alice B&C=é" },
    });
    const peer = await server.peers.next();
    await within(alice.opened(), "opened");
    assert.equal(peer.requestUrl, "/?app=demo&user-name=Alice%20B%26C%3D%C3%A9&x-zocket-version=0.1.0&x-zocket-recovery=1&x-zocket-streams=1&x-zocket-liveness=1");
    assert.equal(peer.query.get("user-name"), "Alice B&C=é");
    alice.close();

    const other = newClient(full, server.url, {
      WebSocket,
      reconnect: false,
      headers: { "user-name": null, token: undefined, n: 5, flag: true, "x-zocket-version": "2" },
    });
    const peer2 = await server.peers.next();
    await within(other.opened(), "opened");
    assert.equal(peer2.requestUrl, "/?n=5&flag=true&x-zocket-version=2&x-zocket-recovery=1&x-zocket-streams=1&x-zocket-liveness=1");
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

test("a close with 4001 (the session was resumed by another connection) closes the client for good", async () => {
  const server = await newServer();
  const client = newClient(chat, server.url, {
    WebSocket,
    headers: { "user-name": "Alice" },
    reconnect: { initialDelayMs: 20, maxDelayMs: 40 },
  });
  try {
    const closes = new Queue<[number, string, string]>();
    client.onClose((code, reason) => closes.push([code, reason, client.state]));
    const first = await server.peers.next();
    await within(client.opened(), "opened");
    first.socket.close(4001, "Session resumed by another connection");
    assert.deepEqual(await closes.next(), [4001, "Session resumed by another connection", "closed"]);
    assert.equal(client.state, "closed");
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
    { recoveryTimeoutMs: 0 },
    { livenessTimeoutMs: 0 },
    { livenessTimeoutMs: -5 },
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

// Connection-state recovery (the x-zocket-recovery extension of protocol v1).

/** A chat message event as a server with recovery on sends it: with a top-level `pos`. */
function chatEvent(content: string, pos: string): Record<string, unknown> {
  return { type: "rooms.onMessage", payload: { ...valid, content }, pos };
}

/**
 * A chat client that reconnects fast and logs, in one ordered queue, "open <recovered>" from its
 * onOpen listener and "message <content>" from its onMessage listener; it rejoins "general" on
 * each open that is not recovered, as an application should.
 */
function recoveringClient(server: TestServer, options: ClientOptions<typeof chat> = {}) {
  const client = newClient(chat, server.url, {
    WebSocket,
    headers: { "user-name": "Alice" },
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    ...options,
  });
  const log = new Queue<string>();
  const errors = new Queue<unknown>();
  const closes = new Queue<string>();
  client.onOpen((info) => {
    log.push(`open ${info.recovered} ${client.recovered} ${client.state}`);
    if (!info.recovered) {
      client.send.rooms.join({ roomId: "general" });
    }
  });
  client.on.rooms.onMessage((m) => log.push(`message ${m.content}`));
  client.onError(errors.push);
  client.onClose(() => closes.push(`${client.state} ${client.recovered}`));
  return { client, log, errors, closes };
}

test("recovery: the first connect sends x-zocket-recovery=1 and opens at once; a recovered reconnect sends token and last pos, opens with recovered=true, then replays in order", async () => {
  const server = await newServer();
  const { client, log, errors, closes } = recoveringClient(server);
  assert.equal(client.recovered, false);
  const first = await server.peers.next();
  assert.equal(first.requestUrl, "/?user-name=Alice&x-zocket-version=0.1.0&x-zocket-recovery=1&x-zocket-streams=1&x-zocket-liveness=1");
  assert.equal(first.query.get("x-zocket-session"), null);
  // Open at once, before any __session.
  assert.equal(await log.next(), "open false false open");
  assert.deepEqual(await first.next(), { type: "rooms.join", payload: { roomId: "general" } });
  first.session("tok/1 +&=", "p0", false);
  first.send(chatEvent("one", "p1"));
  first.send(chatEvent("two", "p2"));
  assert.equal(await log.next(), "message one");
  assert.equal(await log.next(), "message two");
  // An event nobody listens to still moves the position; a reply's pos is not a position.
  const members = client.send.rooms.members({ roomId: "general" });
  const call = await first.next();
  first.send({ type: "rooms.onJoin", payload: { roomId: "general", userName: "Bob" }, pos: "p3" });
  first.send({ type: "__rpc_res", rpcId: call["rpcId"], payload: ["Alice"], pos: "not an event" });
  assert.deepEqual(await members, ["Alice"]);

  first.terminate();
  assert.equal(await closes.next(), "reconnecting false");
  const second = await server.peers.next();
  assert.equal(
    second.requestUrl,
    "/?user-name=Alice&x-zocket-version=0.1.0&x-zocket-recovery=1&x-zocket-session=tok%2F1%20%2B%26%3D&x-zocket-pos=p3&x-zocket-streams=1&x-zocket-liveness=1",
  );
  assert.equal(second.query.get("x-zocket-session"), "tok/1 +&=");
  // The client waits for __session: the open below is the first entry, recovered, before the replay.
  second.session("tok/1 +&=", "p3", true);
  second.send(chatEvent("missed 1", "p4"));
  second.send(chatEvent("missed 2", "p5"));
  second.send(chatEvent("new", "p6"));
  assert.equal(await log.next(), "open true true open");
  assert.equal(await log.next(), "message missed 1");
  assert.equal(await log.next(), "message missed 2");
  assert.equal(await log.next(), "message new");
  // Recovered: the application did not rejoin; its marker is the first frame the server gets.
  client.send.rooms.message({ roomId: "general", content: "marker" });
  assert.deepEqual(await second.next(), { type: "rooms.message", payload: { roomId: "general", content: "marker" } });
  assert.equal(client.recovered, true);

  // The replayed and new events moved the position.
  second.terminate();
  assert.equal(await closes.next(), "reconnecting false");
  const third = await server.peers.next();
  assert.equal(third.query.get("x-zocket-session"), "tok/1 +&=");
  assert.equal(third.query.get("x-zocket-pos"), "p6");
  third.session("tok/1 +&=", "p6", true);
  assert.equal(await log.next(), "open true true open");
  assert.equal(errors.size, 0);
  assert.equal(log.size, 0);
});

test("recovery: a reconnect the server does not recover opens with recovered=false, the app rejoins, and the new token and baseline pos are kept", async () => {
  const server = await newServer();
  const { client, log, errors } = recoveringClient(server);
  const first = await server.peers.next();
  assert.equal(await log.next(), "open false false open");
  first.session("t1", "a0", false);
  first.send(chatEvent("one", "a1"));
  assert.equal(await log.next(), "message one");
  first.terminate();

  const second = await server.peers.next();
  assert.equal(second.query.get("x-zocket-session"), "t1");
  assert.equal(second.query.get("x-zocket-pos"), "a1");
  second.session("t2", "b0", false);
  assert.equal(await log.next(), "open false false open");
  assert.deepEqual(await second.next(), { type: "rooms.join", payload: { roomId: "general" } });
  assert.equal(client.recovered, false);
  second.send(chatEvent("after", "b1"));
  assert.equal(await log.next(), "message after");
  second.terminate();

  // The new session's token and the last event's pos; with no event since, the __session pos.
  const third = await server.peers.next();
  assert.equal(third.query.get("x-zocket-session"), "t2");
  assert.equal(third.query.get("x-zocket-pos"), "b1");
  third.session("t3", "c0", false);
  assert.equal(await log.next(), "open false false open");
  third.terminate();
  const fourth = await server.peers.next();
  assert.equal(fourth.query.get("x-zocket-session"), "t3");
  assert.equal(fourth.query.get("x-zocket-pos"), "c0");
  // session null: the server keeps no sessions; the next reconnect sends none.
  fourth.session(null, null, false);
  assert.equal(await log.next(), "open false false open");
  fourth.terminate();
  const fifth = await server.peers.next();
  assert.equal(fifth.query.get("x-zocket-recovery"), "1");
  assert.equal(fifth.query.get("x-zocket-session"), null);
  assert.equal(fifth.query.get("x-zocket-pos"), null);
  assert.equal(await log.next(), "open false false open");
  assert.equal(errors.size, 0);
});

test("recovery: a server that never sends __session still works; on a reconnect with a token its first frame or the timeout opens with recovered=false", async () => {
  const server = await newServer();
  const { client, log, errors } = recoveringClient(server, { recoveryTimeoutMs: 300 });
  // A v1 server: open at once, events without pos, reconnects open at once (no token).
  const first = await server.peers.next();
  assert.equal(await log.next(), "open false false open");
  first.send({ type: "rooms.onMessage", payload: { ...valid, content: "v1" } });
  assert.equal(await log.next(), "message v1");
  first.terminate();
  const second = await server.peers.next();
  assert.equal(second.query.get("x-zocket-recovery"), "1");
  assert.equal(second.query.get("x-zocket-session"), null);
  assert.equal(await log.next(), "open false false open");

  // It gives a token now; after the next drop it answers like a v1 server: its first frame is an
  // event, which opens the connection (not recovered) and is then delivered.
  second.session("t1", "p0", false);
  second.send(chatEvent("one", "p1"));
  assert.equal(await log.next(), "message one");
  second.terminate();
  const third = await server.peers.next();
  assert.equal(third.query.get("x-zocket-session"), "t1");
  third.send({ type: "rooms.onMessage", payload: { ...valid, content: "first frame" } });
  assert.equal(await log.next(), "open false false open");
  assert.equal(await log.next(), "message first frame");
  assert.deepEqual(await third.next(), { type: "rooms.join", payload: { roomId: "general" } });
  // The token was dropped: the next reconnect is fresh and opens at once.
  third.terminate();
  const fourth = await server.peers.next();
  assert.equal(fourth.query.get("x-zocket-session"), null);
  assert.equal(await log.next(), "open false false open");

  // A token, then a reconnect that gets no frame at all: open with recovered=false after the timeout.
  fourth.session("t2", "q0", false);
  fourth.send(chatEvent("two", "q1"));
  assert.equal(await log.next(), "message two");
  fourth.terminate();
  const fifth = await server.peers.next();
  const connectedAt = Date.now();
  assert.equal(fifth.query.get("x-zocket-session"), "t2");
  assert.equal(await log.next(), "open false false open");
  const waited = Date.now() - connectedAt;
  assert.ok(waited >= 250, `reported open after ${waited} ms, before the 300 ms timeout`);
  assert.deepEqual(await fifth.next(), { type: "rooms.join", payload: { roomId: "general" } });
  // A late __session is stored, never an event, and does not open again.
  fifth.session("t3", "r0", true);
  fifth.send(chatEvent("marker", "r1"));
  assert.equal(await log.next(), "message marker");
  fifth.terminate();
  const sixth = await server.peers.next();
  assert.equal(sixth.query.get("x-zocket-session"), "t3");
  assert.equal(sixth.query.get("x-zocket-pos"), "r1");
  assert.equal(errors.size, 0);
  assert.equal(log.size, 0);
  assert.equal(client.state, "reconnecting");
});

test("recovery: __session never reaches listeners or onError, whatever its payload", async () => {
  const server = await newServer();
  const { client, log, errors } = recoveringClient(server, { validate: false });
  const seen = new Queue<string>();
  client.on.rooms.onJoin((j) => seen.push(`join ${String(j?.userName)}`));
  const peer = await server.peers.next();
  assert.equal(await log.next(), "open false false open");
  peer.session("t1", "p0", false);
  peer.session("t2", "p1", true);
  peer.send({ type: "__session" });
  peer.send({ type: "__session", payload: "nonsense" });
  peer.send({ type: "rooms.onJoin", payload: { roomId: "general", userName: "marker" }, pos: "p2" });
  assert.equal(await seen.next(), "join marker");
  assert.equal(seen.size, 0);
  assert.equal(log.size, 0);
  assert.equal(errors.size, 0);
  assert.equal(client.recovered, false, "a __session on an open connection does not make it recovered");
  peer.terminate();
  const again = await server.peers.next();
  assert.equal(again.query.get("x-zocket-session"), "t2");
  assert.equal(again.query.get("x-zocket-pos"), "p2");

  // Not even when a contract declares an event of that name.
  const odd = { routes: {}, events: { __session: {}, marker: {} } } as const;
  const other = newClient(odd, server.url, { WebSocket, reconnect: false });
  const oddSeen = new Queue<string>();
  other.on.__session(() => oddSeen.push("__session"));
  other.on.marker(() => oddSeen.push("marker"));
  const oddPeer = await server.peers.next();
  await within(other.opened(), "opened");
  oddPeer.session("t", "p", false);
  oddPeer.send({ type: "marker" });
  assert.equal(await oddSeen.next(), "marker");
});

test("recovery: a drop while waiting for __session is a failed attempt (no onOpen, no onClose); the next one sends the same token and pos", async () => {
  const server = await newServer();
  const { log, errors, closes } = recoveringClient(server);
  const first = await server.peers.next();
  assert.equal(await log.next(), "open false false open");
  first.session("t1", "p0", false);
  first.send(chatEvent("one", "p1"));
  assert.equal(await log.next(), "message one");
  first.terminate();
  assert.equal(await closes.next(), "reconnecting false");
  const second = await server.peers.next();
  second.terminate();
  const error = await errors.next();
  assert.ok(error instanceof ZocketError && /before the session message/.test(error.message), String(error));
  const third = await server.peers.next();
  assert.equal(third.query.get("x-zocket-session"), "t1");
  assert.equal(third.query.get("x-zocket-pos"), "p1");
  third.session("t1", "p1", true);
  assert.equal(await log.next(), "open true true open");
  assert.equal(closes.size, 0);
  assert.equal(log.size, 0);
});

test("recovery: after close() a new client starts fresh; recovery: false sends no recovery parameters", async () => {
  const server = await newServer();
  const { client, log } = recoveringClient(server);
  const first = await server.peers.next();
  assert.equal(await log.next(), "open false false open");
  first.session("t1", "p0", false);
  first.send(chatEvent("one", "p1"));
  assert.equal(await log.next(), "message one");
  client.close();
  assert.equal(await within(first.closed, "closed"), 1000);
  assert.equal(client.recovered, false);

  const fresh = recoveringClient(server);
  const second = await server.peers.next();
  assert.equal(second.requestUrl, "/?user-name=Alice&x-zocket-version=0.1.0&x-zocket-recovery=1&x-zocket-streams=1&x-zocket-liveness=1");
  assert.equal(await fresh.log.next(), "open false false open");
  fresh.client.close();

  const off = recoveringClient(server, { recovery: false });
  const third = await server.peers.next();
  assert.equal(third.requestUrl, "/?user-name=Alice&x-zocket-version=0.1.0&x-zocket-streams=1&x-zocket-liveness=1");
  assert.equal(await off.log.next(), "open false false open");
  third.session("t9", "z0", true);
  third.send(chatEvent("marker", "z1"));
  assert.equal(await off.log.next(), "message marker");
  third.terminate();
  const fourth = await server.peers.next();
  assert.equal(fourth.requestUrl, "/?user-name=Alice&x-zocket-version=0.1.0&x-zocket-streams=1&x-zocket-liveness=1");
  assert.equal(await off.log.next(), "open false false open");
  assert.equal(off.errors.size, 0);
});
