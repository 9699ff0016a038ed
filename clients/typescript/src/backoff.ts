/** The default reconnect settings. */
export const DEFAULT_RECONNECT = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxAttempts: Infinity,
});

/**
 * The delay in milliseconds before reconnect attempt `attempt` (counting from 1 after each drop):
 * `base / 2 + random * base / 2`, so in `[base / 2, base)`, where
 * `base = min(maxDelayMs, initialDelayMs * 2^(attempt - 1))`. The client passes `Math.random()`.
 *
 * @throws RangeError if `attempt` is not an integer >= 1, `random` is not in [0, 1), or the delays
 *   are not positive with `maxDelayMs >= initialDelayMs`
 */
export function backoffDelay(
  attempt: number,
  random: number,
  options: { readonly initialDelayMs?: number; readonly maxDelayMs?: number } = {},
): number {
  const initial = options.initialDelayMs ?? DEFAULT_RECONNECT.initialDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_RECONNECT.maxDelayMs;
  checkDelays(initial, max);
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer >= 1: ${attempt}`);
  }
  if (!(random >= 0 && random < 1)) {
    throw new RangeError(`random must be in [0, 1): ${random}`);
  }
  const base = Math.min(max, initial * 2 ** (attempt - 1));
  return base / 2 + (random * base) / 2;
}

/** Checks reconnect delays: positive and finite, max at least initial. */
export function checkDelays(initialDelayMs: number, maxDelayMs: number): void {
  if (!(initialDelayMs > 0 && Number.isFinite(initialDelayMs))) {
    throw new RangeError(`initialDelayMs must be a positive finite number: ${initialDelayMs}`);
  }
  if (!(maxDelayMs >= initialDelayMs && Number.isFinite(maxDelayMs))) {
    throw new RangeError(`maxDelayMs must be finite and at least initialDelayMs (${initialDelayMs}): ${maxDelayMs}`);
  }
}
