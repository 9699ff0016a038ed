// The Zocket chat page: the UI around the typed client (zocket-java-client) and the contract the
// build generates from the Java contract (./generated/chat.ts). Bundled by esbuild into the chat
// server's app.js (see ../build.mjs).
//
// Every piece of text that comes from a user (names, room ids, messages) reaches the page through
// textContent, never through innerHTML, so it is always shown as text.
import * as z from "zod";
import { createClient, ZocketError, type ZocketClient } from "zocket-java-client";
import { contract, type ChatMessage } from "./generated/chat.js";

// The page's content security policy has no 'unsafe-eval': zod must not try to compile parsers
// with new Function (it would fall back anyway, after a CSP violation report).
z.config({ jitless: true });

type Chat = ZocketClient<typeof contract>;

interface Room {
  entries: HTMLElement[];
  unread: number;
}

const state = {
  client: null as Chat | null,
  me: "",
  rooms: new Map<string, Room>(),
  active: null as string | null,
};

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) {
    throw new Error("The page has no #" + id);
  }
  return e as T;
}

function input(id: string): HTMLInputElement {
  return $<HTMLInputElement>(id);
}

function button(id: string): HTMLButtonElement {
  return $<HTMLButtonElement>(id);
}

/** Creates an element with a class and text (never HTML). */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

function setStatus(text: string, kind: "online" | "connecting" | "offline"): void {
  const s = $("status");
  s.textContent = text;
  s.className = "status " + kind;
}

function showError(text: string): void {
  const e = $("error");
  e.textContent = text;
  e.hidden = !text;
}

/** What went wrong with a send or a call, for the error line. */
function describe(error: unknown): string {
  if (error instanceof ZocketError && error.code === "DISCONNECTED") {
    return "Not connected: nothing was sent. Reconnecting…";
  }
  return error instanceof Error ? error.message : String(error);
}

function connect(name: string): void {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  let client: Chat;
  try {
    client = createClient(contract, scheme + location.host + "/", {
      headers: name ? { "user-name": name } : {},
      reconnect: { initialDelayMs: 250, maxDelayMs: 5000 },
    });
  } catch (e) {
    showError(describe(e));
    return;
  }
  state.client = client;
  button("connect").disabled = true;
  setStatus("connecting…", "connecting");
  showError("");

  client.on.rooms.onJoin((e) => roomEvent(e.roomId, "join", e.userName, " joined"));
  client.on.rooms.onLeave((e) => roomEvent(e.roomId, "leave", e.userName, " left"));
  client.on.rooms.onMessage((e) => message(e));

  let first = true;
  client.onOpen(({ recovered }) => {
    if (state.client !== client) {
      return;
    }
    setStatus("online", "online");
    showError("");
    if (first) {
      first = false;
      state.me = name || "Anonymous";
      $("me").textContent = state.me;
      $("login").hidden = true;
      $("chat").hidden = false;
      input("room").focus();
      return;
    }
    // A reconnect. A recovered session still has its rooms, and the messages missed meanwhile
    // follow; a new session has none of them: join again.
    for (const room of state.rooms.keys()) {
      if (!recovered) {
        client.send.rooms.join({ roomId: room });
      }
      notice(
        room,
        "reconnect",
        recovered
          ? "Reconnected: session resumed, nothing missed"
          : "Reconnected: new session, messages sent meanwhile are not shown",
      );
    }
    refreshMembers();
  });

  client.onClose(() => {
    if (state.client !== client) {
      return;
    }
    if (client.state === "reconnecting") {
      setStatus("reconnecting…", "connecting");
    } else {
      signedOut();
    }
  });

  client.onError((error) => {
    if (state.client === client && client.state === "closed") {
      showError(describe(error));
    } else {
      console.warn(error);
    }
  });

  client.opened().catch(() => {
    if (state.client === client && first) {
      state.client = null;
      button("connect").disabled = false;
      setStatus("offline", "offline");
      showError("Could not connect. Is the server running?");
    }
  });
}

/** Back to the login form: the client closed for good. */
function signedOut(): void {
  state.client = null;
  state.rooms.clear();
  state.active = null;
  renderRooms();
  renderLog();
  $("member-list").replaceChildren();
  $("chat").hidden = true;
  $("login").hidden = false;
  button("connect").disabled = false;
  setStatus("offline", "offline");
}

function join(client: Chat, room: string): void {
  try {
    client.send.rooms.join({ roomId: room });
  } catch (e) {
    showError(describe(e));
    return;
  }
  if (!state.rooms.has(room)) {
    state.rooms.set(room, { entries: [], unread: 0 });
  }
  select(room);
}

function leave(room: string): void {
  const client = state.client;
  if (client === null) {
    return;
  }
  try {
    client.send.rooms.leave({ roomId: room });
  } catch (e) {
    showError(describe(e));
    return;
  }
  state.rooms.delete(room);
  if (state.active === room) {
    const next = state.rooms.keys().next();
    state.active = next.done ? null : next.value;
  }
  renderRooms();
  renderLog();
  refreshMembers();
}

function select(room: string): void {
  state.active = room;
  const r = state.rooms.get(room);
  if (r) {
    r.unread = 0;
  }
  renderRooms();
  renderLog();
  refreshMembers();
  input("message").focus();
}

/** Adds an entry to a room's log, and shows it when the room is the active one. */
function append(room: string, entry: HTMLElement): void {
  const r = state.rooms.get(room);
  if (!r) {
    return; // an event for a room this page has already left
  }
  r.entries.push(entry);
  if (room === state.active) {
    const log = $("log");
    log.appendChild(entry);
    log.scrollTop = log.scrollHeight;
  } else {
    r.unread++;
    renderRooms();
  }
}

function roomEvent(room: string, kind: string, userName: string, what: string): void {
  const li = el("li", "notice " + kind);
  li.append(el("span", "user", userName), el("span", "what", what));
  append(room, li);
  if (room === state.active) {
    refreshMembers();
  }
}

/** A line of the page's own in a room's log, such as a reconnect. */
function notice(room: string, kind: string, text: string): void {
  append(room, el("li", "notice " + kind, text));
}

function message(e: ChatMessage): void {
  const li = el("li", "msg");
  const time = el("time", "time");
  const at = new Date(e.timestamp);
  time.dateTime = e.timestamp;
  time.title = e.timestamp;
  time.textContent = isNaN(at.getTime())
    ? ""
    : at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  li.append(time, el("span", "user", e.userName), el("span", "content", e.content));
  if (e.userName === state.me) {
    li.classList.add("mine");
  }
  append(e.roomId, li);
}

function renderRooms(): void {
  const list = $("rooms");
  list.replaceChildren();
  for (const [room, r] of state.rooms) {
    const li = el("li", "room" + (room === state.active ? " active" : ""));
    li.dataset["room"] = room;
    const name = el("button", "select", room);
    name.type = "button";
    name.addEventListener("click", () => select(room));
    if (r.unread > 0) {
      name.append(el("span", "unread", String(r.unread)));
    }
    const leaveButton = el("button", "leave", "Leave");
    leaveButton.type = "button";
    leaveButton.title = "Leave " + room;
    leaveButton.addEventListener("click", () => leave(room));
    li.append(name, leaveButton);
    list.appendChild(li);
  }
  $("no-rooms").hidden = state.rooms.size > 0;
  const active = state.active !== null;
  $("active-room").textContent = active ? "# " + state.active : "No room selected";
  $("members-room").textContent = active ? "of " + state.active : "";
  input("message").disabled = !active;
  button("send").disabled = !active;
  button("members").disabled = !active;
}

function renderLog(): void {
  const r = state.active === null ? undefined : state.rooms.get(state.active);
  const log = $("log");
  log.replaceChildren(...(r ? r.entries : []));
  log.scrollTop = log.scrollHeight;
}

function refreshMembers(): void {
  const room = state.active;
  const list = $("member-list");
  const client = state.client;
  if (room === null || client === null || client.state !== "open") {
    if (room === null || client === null) {
      list.replaceChildren();
    }
    return;
  }
  client.send.rooms.members({ roomId: room }).then(
    (names) => {
      if (state.active === room) {
        list.replaceChildren(...names.map((n) => el("li", "member", n ?? "Anonymous")));
      }
    },
    (error: unknown) => {
      const disconnected = error instanceof ZocketError && error.code === "DISCONNECTED";
      if (state.active === room && !disconnected) {
        list.replaceChildren(el("li", "member muted", describe(error)));
      }
    },
  );
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    connect(input("name").value.trim());
  });
  $("disconnect").addEventListener("click", () => {
    const client = state.client;
    if (client !== null) {
      // Closed for good: no reconnect. Done here rather than in onClose, which does not run
      // while the client is reconnecting.
      signedOut();
      client.close();
    }
  });
  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const room = input("room").value.trim();
    if (room && state.client !== null) {
      join(state.client, room);
    }
  });
  $("send-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const field = input("message");
    const content = field.value.trim();
    if (content && state.active !== null && state.client !== null) {
      try {
        state.client.send.rooms.message({ roomId: state.active, content });
        field.value = "";
      } catch (error) {
        showError(describe(error));
      }
    }
  });
  $("members").addEventListener("click", () => refreshMembers());
});
