import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { z } from "zod";
import { ZocketError } from "zocket-java-client";
import { newClient, newServer, Queue, test, within } from "./helpers.js";
import { contract as chat } from "./types/chat.js";

/** Acknowledged events (the x-zocket-acks extension): the listener's value is the answer. */

const Question = z.object({ text: z.string().min(1) });
const Answer = z.object({ yes: z.boolean(), note: z.string().min(1) });
const prompts = {
  routes: {},
  events: {
    prompts: {
      confirm: { payload: Question, ack: true, reply: Answer },
      count: { ack: true, reply: z.number().int() },
      seen: { payload: Question, ack: true },
      notice: { payload: Question },
    },
  },
} as const;

async function connected(options: { validate?: boolean } = {}) {
  const server = await newServer();
  const client = newClient(prompts, server.url, { WebSocket, reconnect: false, ...options });
  const peer = await server.peers.next();
  await within(client.opened(), "opened");
  return { server, client, peer };
}

test("acks: a client whose contract has acknowledged events asks for the extension; one without does not", async () => {
  const { peer } = await connected();
  assert.equal(peer.query.get("x-zocket-acks"), "1");
  const server = await newServer();
  newClient(chat, server.url, { WebSocket, reconnect: false });
  assert.equal((await server.peers.next()).query.has("x-zocket-acks"), false);
});

test("acks: the listener's value, or its promise's, is the answer, echoing the rpcId", async () => {
  const { client, peer } = await connected();
  client.on.prompts.confirm((q) => ({ yes: true, note: `sure: ${q.text}` }));
  client.on.prompts.count(async () => 3);
  client.on.prompts.seen(() => {});
  peer.send({ type: "prompts.confirm", payload: { text: "deploy?" }, rpcId: "1" });
  assert.deepEqual(await peer.next(), { type: "__ack", rpcId: "1", payload: { yes: true, note: "sure: deploy?" } });
  peer.send({ type: "prompts.count", rpcId: "2" });
  assert.deepEqual(await peer.next(), { type: "__ack", rpcId: "2", payload: 3 });
  peer.send({ type: "prompts.seen", payload: { text: "x" }, rpcId: "3" });
  assert.deepEqual(await peer.next(), { type: "__ack", rpcId: "3" });
});

test("acks: a listener that throws or rejects answers with an error: a ZocketError's code, else INTERNAL (reported)", async () => {
  const { client, peer } = await connected();
  const errors = new Queue<unknown>();
  client.onError((e) => errors.push(e));
  let fail: () => never = () => {
    throw new ZocketError("NOT_NOW", "Busy");
  };
  client.on.prompts.confirm(() => fail());
  peer.send({ type: "prompts.confirm", payload: { text: "a" }, rpcId: "1" });
  assert.deepEqual(await peer.next(), { type: "__ack", rpcId: "1", error: { code: "NOT_NOW", message: "Busy" } });
  fail = () => {
    throw new Error("secret");
  };
  peer.send({ type: "prompts.confirm", payload: { text: "b" }, rpcId: "2" });
  assert.deepEqual(await peer.next(), { type: "__ack", rpcId: "2", error: { code: "INTERNAL", message: "Internal error" } });
  assert.equal((await errors.next()) instanceof Error, true);
});

test("acks: an answer that breaks the reply's schema is refused with INVALID_PAYLOAD; so is an invalid question", async () => {
  const { client, peer } = await connected();
  client.on.prompts.confirm(() => ({ yes: true, note: "" }));
  peer.send({ type: "prompts.confirm", payload: { text: "a" }, rpcId: "1" });
  const answer = await peer.next();
  assert.equal((answer["error"] as { code: string }).code, "INVALID_PAYLOAD");
  assert.deepEqual((answer["error"] as { details: unknown }).details, [
    { path: "note", message: "Too small: expected string to have >=1 characters" },
  ]);
  peer.send({ type: "prompts.confirm", payload: { text: "" }, rpcId: "2" });
  const refused = await peer.next();
  assert.equal((refused["error"] as { code: string }).code, "INVALID_PAYLOAD");
  assert.equal(refused["rpcId"], "2");
});

test("acks: an event without a listener is answered NOT_FOUND; plain events still reach their listeners", async () => {
  const { client, peer } = await connected();
  const notices = new Queue<string>();
  client.on.prompts.notice((q) => notices.push(q.text));
  peer.send({ type: "prompts.confirm", payload: { text: "a" }, rpcId: "1" });
  assert.deepEqual(await peer.next(), {
    type: "__ack",
    rpcId: "1",
    error: { code: "NOT_FOUND", message: "No listener for event 'prompts.confirm'" },
  });
  peer.send({ type: "prompts.notice", payload: { text: "hello" } });
  assert.equal(await notices.next(), "hello");
});

test("acks: an acknowledged event has one listener", async () => {
  const { client } = await connected();
  client.on.prompts.confirm(() => ({ yes: true, note: "a" }));
  assert.throws(
    () => client.on.prompts.confirm(() => ({ yes: false, note: "b" })),
    /prompts\.confirm is an acknowledged event: it has one listener, whose answer is sent/,
  );
});
