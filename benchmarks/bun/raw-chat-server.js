// The chat protocol written by hand on Bun's WebSocket server (uWebSockets underneath): the same
// routes and events as RawChatServer, Bun's way. A room is a Bun topic; an event is serialized
// once and published to the topic, so uWebSockets writes it to every member in native code.
//
// Routes in: rooms.join, rooms.leave, rooms.message and the call rooms.members; events out:
// rooms.onJoin, rooms.onLeave, rooms.onMessage. The handshake reads user-name from the query (then
// the HTTP header), default Anonymous. Unknown routes and frames that are not envelopes are dropped.
//
// Usage: bun raw-chat-server.js [--port N] [--host 127.0.0.1]; prints "LISTENING <port>" once bound.

let port = 0;
let hostname = "127.0.0.1";
const args = Bun.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port") port = Number(args[++i]);
  else if (args[i] === "--host") hostname = args[++i];
  else throw new Error("unknown option " + args[i]);
}

/** roomId -> Map<socket, user name>, in join order (for rooms.members). */
const rooms = new Map();

const server = Bun.serve({
  hostname,
  port,
  fetch(req, srv) {
    const url = new URL(req.url);
    const name = url.searchParams.get("user-name") ?? req.headers.get("user-name") ?? "Anonymous";
    if (srv.upgrade(req, { data: { name, joined: new Set() } })) {
      return undefined;
    }
    return new Response("Expected a WebSocket upgrade", { status: 426 });
  },
  websocket: {
    perMessageDeflate: false,
    message(ws, raw) {
      let m;
      try {
        m = JSON.parse(typeof raw === "string" ? raw : raw.toString());
      } catch {
        return; // not JSON: dropped, the connection stays open
      }
      if (m === null || typeof m !== "object" || typeof m.type !== "string") return;
      const p = m.payload !== null && typeof m.payload === "object" ? m.payload : {};
      const roomId = typeof p.roomId === "string" ? p.roomId : null;
      switch (m.type) {
        case "rooms.join":
          if (roomId) join(ws, roomId);
          break;
        case "rooms.leave":
          if (roomId !== null) leave(ws, roomId);
          break;
        case "rooms.message":
          if (roomId !== null && typeof p.content === "string") message(ws, roomId, p.content);
          break;
        case "rooms.members":
          if (typeof m.rpcId === "string") members(ws, roomId, m.rpcId);
          break;
        default: // unknown routes are dropped
      }
    },
    close(ws) {
      for (const roomId of ws.data.joined) removeFrom(ws, roomId);
    },
  },
});

function join(ws, roomId) {
  if (ws.data.joined.has(roomId)) return;
  ws.data.joined.add(roomId);
  let members = rooms.get(roomId);
  if (members === undefined) rooms.set(roomId, (members = new Map()));
  members.set(ws, ws.data.name);
  ws.subscribe(roomId);
  const e = { type: "rooms.onJoin", payload: { roomId, userName: ws.data.name } };
  server.publish(roomId, JSON.stringify(e));
}

function leave(ws, roomId) {
  if (!ws.data.joined.has(roomId)) return;
  const e = { type: "rooms.onLeave", payload: { roomId, userName: ws.data.name } };
  server.publish(roomId, JSON.stringify(e));
  ws.unsubscribe(roomId);
  removeFrom(ws, roomId);
}

function message(ws, roomId, content) {
  if (!ws.data.joined.has(roomId)) return;
  const timestamp = new Date().toISOString();
  const e = {
    type: "rooms.onMessage",
    payload: { roomId, userName: ws.data.name, content, timestamp },
  };
  server.publish(roomId, JSON.stringify(e));
}

function members(ws, roomId, rpcId) {
  const names = roomId === null ? undefined : rooms.get(roomId);
  const reply = { type: "__rpc_res", payload: names ? [...names.values()] : [], rpcId };
  ws.send(JSON.stringify(reply));
}

function removeFrom(ws, roomId) {
  ws.data.joined.delete(roomId);
  const members = rooms.get(roomId);
  if (members !== undefined && members.delete(ws) && members.size === 0) rooms.delete(roomId);
}

console.log("LISTENING " + server.port);
