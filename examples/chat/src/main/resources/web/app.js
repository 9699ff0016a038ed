// The Zocket chat page: a small client of the Zocket v1 wire protocol (PROTOCOL.md) and the UI
// around it. Plain JavaScript, no build step, no external resources.
//
// Every piece of text that comes from a user (names, room ids, messages) reaches the page through
// textContent, never through innerHTML, so it is always shown as text.
"use strict";

/**
 * A connection to a Zocket server.
 *
 * - Headers travel as URL query parameters, because browsers cannot set WebSocket headers.
 * - A send is {"type": route, "payload": value}; a call adds an "rpcId" and is answered by
 *   {"type": "__rpc_res", "rpcId": id, "payload": result} or, for a failure, with an "error".
 * - Every other message from the server is an event {"type": route, "payload": value}.
 */
class ZocketConnection {
  /**
   * @param {string} url the ws:// or wss:// URL, without query
   * @param {Object<string, string>} headers handshake headers, sent as query parameters
   */
  constructor(url, headers) {
    const query = new URLSearchParams(headers);
    query.set("x-zocket-version", "1");
    this.socket = new WebSocket(url + "?" + query.toString());
    this.listeners = new Map();
    this.pending = new Map();
    this.nextId = 1;
    this.idPrefix = Math.random().toString(36).slice(2, 10);
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener("open", () => resolve(), { once: true });
      this.socket.addEventListener("close", () => reject(new Error("connection refused")), { once: true });
    });
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener("close", (e) => {
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new ZocketError("DISCONNECTED", "The connection closed"));
        }
        this.pending.clear();
        resolve(e);
      });
    });
    this.socket.addEventListener("message", (e) => this.receive(e.data));
  }

  /** Registers a listener for an event route such as "rooms.onMessage". */
  on(route, listener) {
    this.listeners.set(route, listener);
    return this;
  }

  /** Fire and forget. */
  send(route, payload) {
    this.socket.send(JSON.stringify({ type: route, payload }));
  }

  /** A call: resolves with the reply's payload, rejects with a ZocketError. */
  call(route, payload, timeoutMillis = 10000) {
    const rpcId = this.idPrefix + "-" + this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpcId);
        reject(new ZocketError("TIMEOUT", "No reply to " + route));
      }, timeoutMillis);
      this.pending.set(rpcId, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ type: route, payload, rpcId }));
    });
  }

  close() {
    this.socket.close(1000);
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (message === null || typeof message !== "object" || typeof message.type !== "string") {
      return;
    }
    if (message.type === "__rpc_res") {
      const p = this.pending.get(message.rpcId);
      if (!p) {
        return;
      }
      this.pending.delete(message.rpcId);
      clearTimeout(p.timer);
      if (message.error) {
        p.reject(new ZocketError(message.error.code, message.error.message));
      } else {
        p.resolve(message.payload);
      }
      return;
    }
    const listener = this.listeners.get(message.type);
    if (listener) {
      listener(message.payload);
    }
  }
}

/** A failed call, with the server's error code. */
class ZocketError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// The page

const $ = (id) => document.getElementById(id);

/** Creates an element with a class and text (never HTML). */
function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

const state = {
  connection: null,
  me: "",
  rooms: new Map(), // room id -> { entries: Element[], unread: number }
  active: null,
};

function setStatus(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.className = "status " + kind;
}

function showError(text) {
  const e = $("error");
  e.textContent = text;
  e.hidden = !text;
}

function connect(name) {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const headers = name ? { "user-name": name } : {};
  const connection = new ZocketConnection(scheme + location.host + "/", headers);
  state.connection = connection;
  $("connect").disabled = true;
  setStatus("connecting…", "connecting");
  showError("");

  connection
    .on("rooms.onJoin", (e) => roomEvent(e.roomId, "join", e.userName, " joined"))
    .on("rooms.onLeave", (e) => roomEvent(e.roomId, "leave", e.userName, " left"))
    .on("rooms.onMessage", (e) => message(e));

  connection.opened.then(
    () => {
      state.me = name || "Anonymous";
      $("me").textContent = state.me;
      $("login").hidden = true;
      $("chat").hidden = false;
      setStatus("online", "online");
      $("room").focus();
    },
    () => {
      showError("Could not connect. Is the server running?");
    });

  connection.closed.then(() => {
    if (state.connection !== connection) {
      return;
    }
    state.connection = null;
    state.rooms.clear();
    state.active = null;
    renderRooms();
    renderLog();
    $("member-list").replaceChildren();
    $("chat").hidden = true;
    $("login").hidden = false;
    $("connect").disabled = false;
    setStatus("offline", "offline");
  });
}

function join(room) {
  if (!state.rooms.has(room)) {
    state.rooms.set(room, { entries: [], unread: 0 });
  }
  state.connection.send("rooms.join", { roomId: room });
  select(room);
}

function leave(room) {
  state.connection.send("rooms.leave", { roomId: room });
  state.rooms.delete(room);
  if (state.active === room) {
    const next = state.rooms.keys().next();
    state.active = next.done ? null : next.value;
  }
  renderRooms();
  renderLog();
  refreshMembers();
}

function select(room) {
  state.active = room;
  const r = state.rooms.get(room);
  if (r) {
    r.unread = 0;
  }
  renderRooms();
  renderLog();
  refreshMembers();
  $("message").focus();
}

/** Adds an entry to a room's log, and shows it when the room is the active one. */
function append(room, entry) {
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

function roomEvent(room, kind, userName, what) {
  const li = el("li", "notice " + kind);
  li.append(el("span", "user", userName), el("span", "what", what));
  append(room, li);
  if (room === state.active) {
    refreshMembers();
  }
}

function message(e) {
  const li = el("li", "msg");
  const time = el("time", "time");
  const at = new Date(e.timestamp);
  time.dateTime = e.timestamp;
  time.title = e.timestamp;
  time.textContent = isNaN(at) ? "" : at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  li.append(time, el("span", "user", e.userName), el("span", "content", e.content));
  if (e.userName === state.me) {
    li.classList.add("mine");
  }
  append(e.roomId, li);
}

function renderRooms() {
  const list = $("rooms");
  list.replaceChildren();
  for (const [room, r] of state.rooms) {
    const li = el("li", "room" + (room === state.active ? " active" : ""));
    li.dataset.room = room;
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
  $("message").disabled = !active;
  $("send").disabled = !active;
  $("members").disabled = !active;
}

function renderLog() {
  const r = state.active === null ? null : state.rooms.get(state.active);
  const log = $("log");
  log.replaceChildren(...(r ? r.entries : []));
  log.scrollTop = log.scrollHeight;
}

function refreshMembers() {
  const room = state.active;
  const list = $("member-list");
  if (room === null || !state.connection) {
    list.replaceChildren();
    return;
  }
  state.connection.call("rooms.members", { roomId: room }).then(
    (names) => {
      if (state.active !== room) {
        return;
      }
      list.replaceChildren(...names.map((n) => el("li", "member", n)));
    },
    (error) => {
      if (state.active === room && error.code !== "DISCONNECTED") {
        list.replaceChildren(el("li", "member muted", error.message));
      }
    });
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    connect($("name").value.trim());
  });
  $("disconnect").addEventListener("click", () => {
    if (state.connection) {
      state.connection.close();
    }
  });
  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const room = $("room").value.trim();
    if (room && state.connection) {
      join(room);
    }
  });
  $("send-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("message");
    const content = input.value.trim();
    if (content && state.active !== null && state.connection) {
      state.connection.send("rooms.message", { roomId: state.active, content });
      input.value = "";
    }
  });
  $("members").addEventListener("click", () => refreshMembers());
});
