// End to end against the Java chat server, driven by ChatTypeScriptIT (examples/chat), which starts
// the server and answers the lines this script prints: "PAUSE" (the server process is stopped until
// "RESUME"), "RESTART" (the server is killed and started again on the same port).
//
//   node dist/test/e2e.js ws://127.0.0.1:<port>/
import assert from "node:assert/strict";
import { createInterface } from "node:readline";
import { WebSocket } from "ws";
import { createClient, ZocketError } from "zocket-java-client";
import { contract, type ChatMessage, type Joined } from "../src/generated/chat.js";

const url = process.argv[2] ?? "ws://127.0.0.1:3000/";
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

/** Tells the test what to do and waits for its answer. */
async function ask(what: string, answer: string): Promise<void> {
  console.log(what);
  const line = await lines.next();
  assert.equal(line.value, answer);
}

/** A chat member whose events land in a queue. */
function member(name: string) {
  const events: (Joined | ChatMessage)[] = [];
  const waiting: (() => void)[] = [];
  let opens = 0;
  const client = createClient(contract, url, {
    headers: { "user-name": name },
    WebSocket,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
  });
  const push = (e: Joined | ChatMessage) => {
    events.push(e);
    waiting.splice(0).forEach((w) => w());
  };
  client.on.rooms.onJoin(push);
  client.on.rooms.onMessage(push);
  client.onOpen(() => {
    opens++;
    client.send.rooms.join({ roomId: "ts" });
  });
  client.onError((e) => console.error(`${name}: ${String(e)}`));
  /** The next event, within 10 s. */
  async function next(): Promise<Joined | ChatMessage> {
    const deadline = Date.now() + 10_000;
    while (events.length === 0) {
      const left = deadline - Date.now();
      assert.ok(left > 0, `${name}: no event within 10 s`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiting.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return events.shift()!;
  }
  /** Takes events until one matches, at most 10. */
  async function until(test: (e: Joined | ChatMessage) => boolean): Promise<Joined | ChatMessage> {
    for (let i = 0; i < 10; i++) {
      const e = await next();
      if (test(e)) return e;
    }
    assert.fail(`${name}: no matching event among 10`);
  }
  return { client, next, until, opens: () => opens };
}

const joinedBy = (who: string) => (e: Joined | ChatMessage) => !("content" in e) && e.userName === who;
const saying = (text: string) => (e: Joined | ChatMessage) => "content" in e && e.content === text;

const alice = member("Alice");
const bob = member("Bob");
await alice.client.opened();
await bob.client.opened();
// Each has joined once it sees its own join notice; then both are in the room.
await alice.until(joinedBy("Alice"));
await bob.until(joinedBy("Bob"));

// Messages, typed: the timestamp is the server's ISO-8601 string.
alice.client.send.rooms.message({ roomId: "ts", content: "hello from TypeScript" });
const m = (await bob.until(saying("hello from TypeScript"))) as ChatMessage;
assert.equal(m.userName, "Alice");
assert.match(m.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
console.log("messages: ok");

// The members call, and an error reply with its code.
assert.deepEqual(await alice.client.send.rooms.members({ roomId: "ts" }), ["Alice", "Bob"]);
await assert.rejects(alice.client.send.rooms.members({ roomId: "elsewhere" }), (e: unknown) => {
  assert.ok(e instanceof ZocketError);
  assert.equal(e.code, "NOT_A_MEMBER");
  return true;
});
console.log("calls: ok");

// A call timeout: the server is stopped while the call waits.
await ask("PAUSE", "PAUSED");
const started = Date.now();
await assert.rejects(alice.client.send.rooms.members({ roomId: "ts" }, { timeoutMs: 500 }), (e: unknown) => {
  assert.ok(e instanceof ZocketError);
  assert.equal(e.code, "TIMEOUT");
  return true;
});
assert.ok(Date.now() - started >= 450, "timed out too early");
await ask("RESUME", "RESUMED");
// The late reply is ignored; the next call is answered.
assert.deepEqual(await alice.client.send.rooms.members({ roomId: "ts" }), ["Alice", "Bob"]);
console.log("timeout: ok");

// Reconnect: the server restarts on the same port; onOpen runs again and joins the room again.
await ask("RESTART", "RESTARTED");
for (const x of [alice, bob]) {
  const deadline = Date.now() + 20_000;
  while (x.opens() < 2) {
    assert.ok(Date.now() < deadline, "no reconnect within 20 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}
await alice.until(joinedBy("Alice"));
await bob.until(joinedBy("Bob"));
bob.client.send.rooms.message({ roomId: "ts", content: "after the restart" });
await alice.until(saying("after the restart"));
assert.deepEqual(await bob.client.send.rooms.members({ roomId: "ts" }), ["Alice", "Bob"]);
console.log("reconnect: ok");

alice.client.close();
bob.client.close();
console.log("E2E OK");
process.exit(0);
