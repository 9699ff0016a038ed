// Compiled with `tsc --noEmit --strict -p test/types`: every correct use must compile, and every
// line after `// @ts-expect-error` must be a compile error (else the compile fails).
import {
  createClient,
  HandshakeError,
  ZocketError,
  type ClientState,
  type OpenInfo,
  type WebSocketConstructor,
} from "zocket-java-client";
import { contract } from "./chat.js";

declare const WebSocketImpl: WebSocketConstructor;

export async function chat(): Promise<void> {
  const client = createClient(contract, "ws://127.0.0.1:3000/", {
    headers: { "user-name": "Alice" },
    WebSocket: WebSocketImpl,
    callTimeoutMs: 10_000,
    validate: true,
    reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, maxAttempts: Infinity },
    whileDisconnected: { buffer: 100 },
  });
  createClient(contract, "ws://127.0.0.1:3000/", { headers: { "user-name": null }, reconnect: false, whileDisconnected: "fail" });

  const offMessage: () => void = client.on.rooms.onMessage((m) => {
    const text: string = `${m.userName}@${m.timestamp}: ${m.content} in ${m.roomId}`;
    void text;
  });
  offMessage();
  client.on.rooms.onJoin((j) => {
    const who: string = j.userName;
    void who;
  });
  client.onOpen(() => client.send.rooms.join({ roomId: "general" }));
  client.onOpen(({ recovered }) => {
    if (!recovered) client.send.rooms.join({ roomId: "general" });
  });
  const info = (i: OpenInfo): boolean => i.recovered;
  client.onOpen(info);
  const isRecovered: boolean = client.recovered;
  void isRecovered;
  // @ts-expect-error recovered is read-only
  client.recovered = true;
  createClient(contract, "ws://127.0.0.1:3000/", { recovery: false, recoveryTimeoutMs: 2_000 });
  // @ts-expect-error recovery is a boolean
  createClient(contract, "ws://127.0.0.1:3000/", { recovery: "yes" });
  client.onClose((code: number, reason: string) => void [code, reason]);
  client.onError((err: unknown) => {
    if (err instanceof HandshakeError) {
      const refusal: [number, string] = [err.status, err.code];
      void refusal;
    }
    if (err instanceof ZocketError) {
      const parts: [string, string, string] = [err.code, err.message, err.details.map((d) => d.path).join()];
      void parts;
    }
  });

  const sent: void = client.send.rooms.join({ roomId: "general" });
  void sent;
  client.send.rooms.message({ roomId: "general", content: "hi" });
  const members: string[] = await client.send.rooms.members({ roomId: "general" });
  void members;
  await client.send.rooms.members({ roomId: "general" }, { timeoutMs: 2000 });
  const state: "idle" | "connecting" | "open" | "reconnecting" | "closed" = client.state;
  void state;
  client.onStateChange((now: ClientState, before: ClientState) => void [now, before]);
  const controller = new AbortController();
  await client.send.rooms.members({ roomId: "general" }, { signal: controller.signal, timeoutMs: 2000 });
  const later = createClient(contract, "ws://127.0.0.1:3000/", {
    autoConnect: false,
    livenessTimeoutMs: 15_000,
    headers: () => ({ "user-name": "Alice" }),
  });
  await later.connect();
  createClient(contract, "ws://127.0.0.1:3000/", { headers: async () => ({ "user-name": "Alice" }) });
  // @ts-expect-error the headers function must return the contract's headers
  createClient(contract, "ws://127.0.0.1:3000/", { headers: () => ({ "user-name": 5 }) });
  // @ts-expect-error signal is an AbortSignal
  await client.send.rooms.members({ roomId: "general" }, { signal: "stop" });
  await client.opened();
  client.close();

  // @ts-expect-error wrong payload field type
  client.send.rooms.join({ roomId: 42 });
  // @ts-expect-error missing field
  client.send.rooms.message({ roomId: "general" });
  // @ts-expect-error missing payload
  client.send.rooms.join();
  // @ts-expect-error unknown field
  client.send.rooms.join({ roomId: "general", extra: true });
  // @ts-expect-error wrong reply type
  const count: number = await client.send.rooms.members({ roomId: "general" });
  void count;
  // @ts-expect-error a send returns void, not a promise
  await client.send.rooms.join({ roomId: "general" }).then(() => 1);
  // @ts-expect-error unknown route
  client.send.rooms.leave({ roomId: "general" });
  // @ts-expect-error unknown namespace
  client.send.lobby.join({ roomId: "general" });
  // @ts-expect-error calling an event through send
  client.send.rooms.onMessage({ roomId: "general" });
  // @ts-expect-error listening to a route through on
  client.on.rooms.join(() => {});
  // @ts-expect-error the listener's payload is typed
  client.on.rooms.onJoin((j) => { const n: number = j.userName; void n; });
  // @ts-expect-error headers are typed by the contract
  createClient(contract, "ws://127.0.0.1:3000/", { headers: { "user-name": 7 } });
  // @ts-expect-error a per-call option that does not exist
  await client.send.rooms.members({ roomId: "general" }, { timeout: 5 });
}
