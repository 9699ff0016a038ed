// Shaped like the generator's output for acknowledged events: with and without payload and answer.
import { z } from "zod";
export const Question = z.object({ text: z.string().min(1) });
export const Answer = z.object({ yes: z.boolean(), note: z.string().min(1) });
export const contract = {
  routes: {},
  events: {
    prompts: {
      confirm: { payload: Question, ack: true, reply: Answer },
      count: { ack: true, reply: z.number().int() },
      seen: { payload: Question, ack: true },
      notice: { payload: Question },
    },
  },
} as const;
