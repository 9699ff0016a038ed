import type { Unsubscribe } from "./types.js";

/** A set of listeners; each added function is its own entry, so the same one may be added twice. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<{ readonly fn: (...args: A) => void }>();

  /** Adds a listener; the returned function removes it. */
  add(fn: (...args: A) => void): Unsubscribe {
    if (typeof fn !== "function") {
      throw new TypeError("listener must be a function");
    }
    const listener = { fn };
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  /** The first listener present, or undefined. */
  first(): ((...args: A) => unknown) | undefined {
    for (const listener of this.set) {
      return listener.fn;
    }
    return undefined;
  }

  get size(): number {
    return this.set.size;
  }

  /** Runs the listeners present now, in order; one that throws goes to `report`, the rest still run. */
  run(report: (error: unknown) => void, ...args: A): void {
    for (const listener of [...this.set]) {
      try {
        listener.fn(...args);
      } catch (error) {
        report(error);
      }
    }
  }
}

/** The `onError` listeners: what they throw has nowhere left to go and is dropped. */
export class ErrorListeners extends Listeners<[unknown]> {
  readonly report = (error: unknown): void => {
    this.run(() => {}, error);
  };
}
