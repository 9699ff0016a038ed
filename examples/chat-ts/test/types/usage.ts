// Compiled with `tsc --noEmit --strict`: every chat route used as the Java contract allows, and each
// line marked @ts-expect-error must stay an error (if one compiles, tsc fails on the unused marker).
import { WebSocket } from "ws";
import { createClient, ZocketError } from "zocket-java-client";
import { contract, type ChatMessage, type Joined } from "../../src/generated/chat.js";

const client = createClient(contract, "ws://127.0.0.1:3000/", {
  headers: { "user-name": "Alice" },
  WebSocket,
});

// Fire-and-forget routes return void.
const joined: void = client.send.rooms.join({ roomId: "general" });
client.send.rooms.leave({ roomId: "general" });
client.send.rooms.message({ roomId: "general", content: "" });
void joined;

// A call returns a promise of its reply type.
export async function members(): Promise<(string | null)[]> {
  return await client.send.rooms.members({ roomId: "general" }, { timeoutMs: 2_000 });
}

// Listeners receive typed payloads.
client.on.rooms.onJoin((e: Joined) => e.roomId.toUpperCase());
client.on.rooms.onLeave((e) => e.userName.length);
client.on.rooms.onMessage((m: ChatMessage) => `${m.timestamp}: ${m.content.trim()}`);
client.onError((e) => (e instanceof ZocketError ? e.code : undefined));
// onOpen says whether the session was recovered; rooms are rejoined only when it was not.
client.onOpen(({ recovered }) => {
  if (!recovered) client.send.rooms.join({ roomId: "general" });
});
const recoveredNow: boolean = client.recovered;
void recoveredNow;

// @ts-expect-error a wrong payload field type: roomId is a string
client.send.rooms.join({ roomId: 5 });
// @ts-expect-error a missing field: content
client.send.rooms.message({ roomId: "general" });
export async function wrongReply(): Promise<void> {
  // @ts-expect-error a wrong reply type: members answers a list of names
  const n: number = await client.send.rooms.members({ roomId: "general" });
  void n;
}
// @ts-expect-error an unknown route
client.send.rooms.shout({ roomId: "general" });
// @ts-expect-error calling an event: events are the server's to send
client.send.rooms.onMessage({ roomId: "r", userName: "u", content: "c", timestamp: "t" });
// @ts-expect-error listening to a route: routes are the client's to send
client.on.rooms.join(() => {});
// @ts-expect-error a fire-and-forget route returns nothing to await
export const nothing: Promise<unknown> = client.send.rooms.join({ roomId: "general" });
// @ts-expect-error a header the server does not declare
createClient(contract, "ws://127.0.0.1:3000/", { headers: { "user-nmae": "Alice" }, WebSocket });
