import { safeParse } from "zod";
import { buildTree, collectEvents, type EventEntry } from "./contract.js";
import { invalidPayload, ZocketError } from "./errors.js";
import { Listeners } from "./listeners.js";
import type { Contract, Unsubscribe } from "./types.js";

/** The `type` of a client's answer to an acknowledged event. */
const ACK = "__ack";

interface Slot {
  readonly entry: EventEntry;
  readonly listeners: Listeners<[unknown?]>;
}

/** The contract's events: their listeners (`client.on`) and the delivery of each event received. */
export class Events {
  private readonly slots = new Map<string, Slot>();
  /** `client.on`: the event tree with a subscribe function for each event. */
  readonly on: Record<string, unknown>;

  constructor(
    contract: Contract,
    private readonly validate: boolean,
    private readonly report: (error: unknown) => void,
  ) {
    for (const entry of collectEvents(contract)) {
      this.slots.set(entry.type, { entry, listeners: new Listeners() });
    }
    this.on = buildTree(
      [...this.slots.values()].map((slot) => ({ path: slot.entry.path, slot })),
      (e) =>
        (listener: (payload?: unknown) => void): Unsubscribe => {
          if (e.slot.entry.ack && e.slot.listeners.size > 0) {
            throw new Error(`${e.slot.entry.type} is an acknowledged event: it has one listener, whose answer is sent`);
          }
          return e.slot.listeners.add(listener);
        },
    );
  }

  /** Whether the contract has an acknowledged event: the client then asks for the extension. */
  get acknowledges(): boolean {
    return [...this.slots.values()].some((slot) => slot.entry.ack);
  }

  /**
   * Answers an acknowledged event (an event with an `rpcId`): runs its listener with the payload
   * (validated as `deliver` does) and hands `answer` the `__ack` frame once the listener's value or
   * promise settles: the answer (validated by `reply` when validation is on), or the error (a
   * `ZocketError`'s code and message; anything else `INTERNAL`, also reported). No listener, or an
   * event the contract declares plain, is answered with an error: `NOT_FOUND`.
   */
  ask(type: string, raw: unknown, rpcId: string, answer: (frame: string) => void): void {
    const slot = this.slots.get(type);
    const listener = slot?.entry.ack ? slot.listeners.first() : undefined;
    const fail = (error: ZocketError): void => {
      const body: { code: string; message: string; details?: unknown } = { code: error.code, message: error.message };
      if (error.details.length > 0) {
        body.details = error.details;
      }
      answer(JSON.stringify({ type: ACK, rpcId, error: body }));
    };
    if (slot === undefined || listener === undefined) {
      fail(new ZocketError("NOT_FOUND", `No listener for event '${type}'`));
      return;
    }
    const payload = this.payloadOf(slot, raw);
    if (payload instanceof ZocketError) {
      this.report(payload);
      fail(payload);
      return;
    }
    const reply = slot.entry.reply;
    const failed = (error: unknown): void => {
      if (error instanceof ZocketError) {
        fail(error);
      } else {
        this.report(error);
        fail(new ZocketError("INTERNAL", "Internal error"));
      }
    };
    let result: unknown;
    try {
      result = slot.entry.payload ? listener(payload) : listener();
    } catch (error) {
      failed(error);
      return;
    }
    Promise.resolve(result).then((value) => {
      let out: unknown = value;
      if (this.validate && reply) {
        const parsed = safeParse(reply, value);
        if (!parsed.success) {
          const error = invalidPayload(`answer to ${type}`, parsed.error, type);
          this.report(error);
          fail(error);
          return;
        }
        out = parsed.data;
      }
      const envelope: { type: string; payload?: unknown; rpcId: string } = { type: ACK, rpcId };
      if (reply && out !== undefined) {
        envelope.payload = out;
      }
      answer(JSON.stringify(envelope));
    }, failed);
  }

  /** The payload validated by its schema when validation is on, or the error it failed with. */
  private payloadOf(slot: Slot, raw: unknown): unknown {
    const schema = slot.entry.payload;
    if (!this.validate || !schema) {
      return raw;
    }
    try {
      const result = safeParse(schema, raw);
      return result.success ? result.data : invalidPayload(`payload of event ${slot.entry.type}`, result.error, slot.entry.type);
    } catch (error) {
      return new ZocketError("INTERNAL", `The schema of ${slot.entry.type} threw: ${String(error)}`);
    }
  }

  /**
   * Hands an event's payload to its listeners, validated by its schema when validation is on (an
   * invalid one goes to `report` and reaches no listener). An event the contract does not know, or
   * that nobody listens to, is ignored.
   */
  deliver(type: string, raw: unknown): void {
    const slot = this.slots.get(type);
    if (slot === undefined || slot.listeners.size === 0) {
      return;
    }
    const schema = slot.entry.payload;
    let payload = raw;
    if (this.validate && schema) {
      let result;
      try {
        result = safeParse(schema, payload);
      } catch (error) {
        this.report(error);
        return;
      }
      if (!result.success) {
        this.report(invalidPayload(`payload of event ${type}`, result.error, type));
        return;
      }
      payload = result.data;
    }
    if (schema) {
      slot.listeners.run(this.report, payload);
    } else {
      slot.listeners.run(this.report);
    }
  }
}
