// The contract variants: top-level routes, deep namespaces, no payload, no reply, events without payload.
import { createClient, type Contract, type SendTree, type WebSocketConstructor, type ZocketClient } from "zocket-java-client";
import { contract } from "./full.js";

declare const WebSocketImpl: WebSocketConstructor;

export async function full(): Promise<void> {
  const client = createClient(contract, "ws://127.0.0.1:3000/", { WebSocket: WebSocketImpl, headers: { token: "t", n: 1 } });
  const pong: string = await client.send.ping();
  const pong2: string = await client.send.ping({ timeoutMs: 100 });
  void [pong, pong2];
  const hello: void = client.send.hello();
  void hello;
  const reset: void = await client.send.reset();
  void reset;
  const n: number = await client.send.notes.count();
  void n;
  client.send.notes.add({ text: "x" });
  const placed: { orderId: string } = await client.send.orders.place({ customer: "c", items: [{ name: "a", quantity: 1 }] });
  void placed;
  await client.send.orders.slow({ text: "x" }, { timeoutMs: Infinity });
  const banned: void = await client.send.admin.users.ban({ userName: "bob" });
  void banned;
  client.send.admin.users.kick({ userName: "bob", minutes: 5 });
  client.on.tick(() => {});
  client.on.noted((note) => void note.text);
  client.on.admin.users.onBanned((ban) => {
    const minutes: number | undefined = ban.minutes;
    void minutes;
  });
  client.on.admin.users.onReset(() => {});

  // @ts-expect-error a route without payload takes none
  client.send.hello({});
  // @ts-expect-error wrong element type in an array
  await client.send.orders.place({ customer: "c", items: [{ name: "a", quantity: "1" }] });
  // @ts-expect-error a call without reply resolves with void
  const r: string = await client.send.admin.users.ban({ userName: "bob" });
  void r;
  // @ts-expect-error an event without payload passes no argument
  client.on.tick((x: string) => void x);
  // @ts-expect-error unknown deep route
  client.send.admin.users.mute({ userName: "bob" });
  // @ts-expect-error an event namespace is not a listener
  client.on.admin.users(() => {});
}

// Generic code over any contract.
export function routeNames<C extends Contract>(client: ZocketClient<C>): string[] {
  return Object.keys(client.send as SendTree<C["routes"]>);
}
