// Streams: a route of kind "stream" is a function returning an AsyncIterable of its items.
import { createClient, type WebSocketConstructor } from "zocket-java-client";
import { contract } from "./stream.js";

declare const WebSocketImpl: WebSocketConstructor;

export async function streams(): Promise<void> {
  const client = createClient(contract, "ws://127.0.0.1:3000/", { WebSocket: WebSocketImpl });
  const controller = new AbortController();
  for await (const hit of client.send.search.find({ q: "java", count: 3 }, { signal: controller.signal })) {
    const n: number = hit.n;
    const text: string = hit.text;
    void [n, text];
    // @ts-expect-error an item has no such field
    void hit.score;
  }
  for await (const hit of client.send.search.endless({ timeoutMs: 100 })) {
    void hit.n;
    break;
  }
  const iterable: AsyncIterable<{ n: number; text: string }> = client.send.search.endless();
  void iterable;
  // @ts-expect-error the payload is required
  client.send.search.find();
  // @ts-expect-error count is a number
  client.send.search.find({ q: "x", count: "3" });
  // @ts-expect-error a stream without payload takes options only
  client.send.search.endless({ q: "x" });
  // @ts-expect-error a stream is iterated, not awaited as a reply
  const wrong: { n: number } = await client.send.search.endless();
  void wrong;
}
