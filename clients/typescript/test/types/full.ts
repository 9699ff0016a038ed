// Shaped like the generator's output, with every variant: top-level routes, deeper namespaces,
// routes without payload, calls without reply, a call with its own timeout, events without payload.
import { z } from "zod";
export const Item = z.object({ name: z.string().min(1), quantity: z.number().int() });
export const Order = z.object({ customer: z.string(), items: z.array(Item) });
export const Ban = z.object({ userName: z.string(), minutes: z.number().int().positive().optional() });
export const Note = z.object({ text: z.string() });
export const contract = {
  routes: {
    ping: { kind: "call", reply: z.string() },
    hello: { kind: "send" },
    reset: { kind: "call" },
    notes: {
      add: { kind: "send", payload: Note },
      count: { kind: "call", reply: z.number().int() },
    },
    orders: {
      place: { kind: "call", payload: Order, reply: z.object({ orderId: z.string() }) },
      slow: { kind: "call", payload: Note, reply: z.string(), timeoutMs: 60 },
    },
    admin: {
      users: {
        ban: { kind: "call", payload: Ban },
        kick: { kind: "send", payload: Ban },
      },
    },
  },
  events: {
    tick: {},
    noted: { payload: Note },
    admin: {
      users: {
        onBanned: { payload: Ban },
        onReset: {},
      },
    },
  },
} as const;
