// Acknowledged events: the listener's return value is the typed answer, or a promise of it.
import { createClient, type WebSocketConstructor } from "zocket-java-client";
import { contract } from "./acks.js";

declare const WebSocketImpl: WebSocketConstructor;

export function acks(): void {
  const client = createClient(contract, "ws://127.0.0.1:3000/", { WebSocket: WebSocketImpl });
  client.on.prompts.confirm((q) => ({ yes: q.text.length > 0, note: "ok" }));
  client.on.prompts.confirm(async (q) => ({ yes: true, note: q.text }));
  client.on.prompts.count(() => 3);
  client.on.prompts.count(() => Promise.resolve(4));
  client.on.prompts.seen((q) => void q.text);
  client.on.prompts.seen(async () => {});
  client.on.prompts.notice((q) => void q.text);

  // @ts-expect-error the answer must have the reply's type
  client.on.prompts.confirm(() => ({ yes: "sure", note: "ok" }));
  // @ts-expect-error a promise of the wrong type is refused too
  client.on.prompts.confirm(async () => 42);
  // @ts-expect-error an acknowledged event with a reply must answer
  client.on.prompts.confirm(() => {});
  // @ts-expect-error the answer of count is a number
  client.on.prompts.count(() => "3");
  // @ts-expect-error an event without payload passes no argument
  client.on.prompts.count((x: string) => x.length);
}
