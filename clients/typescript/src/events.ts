import { safeParse } from "zod";
import { buildTree, collectEvents, type EventEntry } from "./contract.js";
import { invalidPayload } from "./errors.js";
import { Listeners } from "./listeners.js";
import type { Contract, Unsubscribe } from "./types.js";

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
      (e) => (listener: (payload?: unknown) => void): Unsubscribe => e.slot.listeners.add(listener),
    );
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
