export type Timer = ReturnType<typeof setTimeout>;

/** The longest delay `setTimeout` keeps (2^31 - 1 ms); longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** A timeout option: a positive number of milliseconds, or Infinity for none. */
export function checkTimeout(value: number, name: string): number {
  if (!(typeof value === "number" && value > 0)) {
    throw new RangeError(`${name} must be a positive number of milliseconds or Infinity: ${String(value)}`);
  }
  return value;
}

/** A timer for `ms` milliseconds, or none for Infinity. */
export function startTimer(ms: number, fn: () => void): Timer | undefined {
  return Number.isFinite(ms) ? setTimeout(fn, Math.min(ms, MAX_TIMER_MS)) : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
