// Shaped like the generator's output for a contract with streams (Java methods returning
// Flow.Publisher<T>): a stream with a payload, one without, and one with its own timeout.
import { z } from "zod";
export const Query = z.object({ q: z.string().min(1), count: z.number().int() });
export const Hit = z.object({ n: z.number().int(), text: z.string() });
export const contract = {
  routes: {
    search: {
      find: { kind: "stream", payload: Query, item: Hit },
      endless: { kind: "stream", item: Hit, timeoutMs: 2000 },
      ping: { kind: "call", payload: z.string(), reply: z.string() },
    },
  },
  events: {},
} as const;
