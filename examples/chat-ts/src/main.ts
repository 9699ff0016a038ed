// A console chat client: the Java chat server's routes and events, typed by the module that the
// zocket-typescript Maven plugin generates from the Java contract (src/generated/chat.ts).
//
//   node dist/src/main.js --url ws://127.0.0.1:3000/ --name Alice
//
// Type a line to post it to the current room; /join <room>, /leave <room>, /members [room],
// /quit. The client reconnects by itself; when the server could not recover the session (recovery
// off, or the session expired) it joins its rooms again.
import { createInterface } from "node:readline";
import { WebSocket } from "ws";
import { createClient, ZocketError } from "zocket-java-client";
import { contract } from "./generated/chat.js";

const USAGE = "Usage: node dist/src/main.js [--url ws://127.0.0.1:3000/] [--name <user name>]";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined) {
    console.error(`${name} needs a value\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}
const url = option("--url", "ws://127.0.0.1:3000/");
const name = option("--name", "Anonymous");
const rooms = new Set<string>();
let current: string | undefined;

// region client
const client = createClient(contract, url, {
  headers: { "user-name": name },
  WebSocket,
  reconnect: { initialDelayMs: 250, maxDelayMs: 5_000 },
});
client.on.rooms.onJoin((e) => console.log(`${e.userName} joined ${e.roomId}`));
client.on.rooms.onLeave((e) => console.log(`${e.userName} left ${e.roomId}`));
client.on.rooms.onMessage((m) => console.log(`[${m.roomId}] ${m.userName}: ${m.content}`));
client.onOpen(({ recovered }) => {
  if (recovered) {
    // The server kept our session: same rooms, and the messages we missed follow.
    console.log(`reconnected to ${url} as ${name}, session recovered`);
    return;
  }
  console.log(`connected to ${url} as ${name}`);
  for (const room of rooms) client.send.rooms.join({ roomId: room });
});
client.onClose((code, reason) => console.log(`disconnected (${code}${reason ? ` ${reason}` : ""})`));
client.onError((e) => console.error(`error: ${e instanceof Error ? e.message : String(e)}`));
// endregion client

async function handle(line: string): Promise<void> {
  const [command, ...rest] = line.trim().split(/\s+/);
  const arg = rest.join(" ");
  switch (command) {
    case "/join":
      rooms.add(arg);
      current = arg;
      client.send.rooms.join({ roomId: arg });
      return;
    case "/leave":
      rooms.delete(arg);
      if (current === arg) current = undefined;
      client.send.rooms.leave({ roomId: arg });
      return;
    case "/members": {
      const room = arg || current;
      if (room === undefined) return console.log("join a room first: /join <room>");
      try {
        const members = await client.send.rooms.members({ roomId: room });
        console.log(`members of ${room}: ${members.join(", ")}`);
      } catch (e) {
        console.log(e instanceof ZocketError ? `${e.code}: ${e.message}` : String(e));
      }
      return;
    }
    case "/quit":
      client.close();
      process.exit(0);
    default:
      if (current === undefined) return console.log("join a room first: /join <room>");
      client.send.rooms.message({ roomId: current, content: line });
  }
}

const input = createInterface({ input: process.stdin });
let queue = Promise.resolve();
input.on("line", (line) => {
  queue = queue.then(() => handle(line)).catch((e) => console.error(`error: ${String(e)}`));
});
input.on("close", () => {
  void queue.then(() => {
    client.close();
    process.exit(0);
  });
});
