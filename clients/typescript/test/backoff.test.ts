import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay, DEFAULT_RECONNECT } from "zocket-java-client";

const randoms = [0, 0.25, 0.5, 0.999999];

test("backoff delays lie in [base/2, base) with base = min(max, initial * 2^(attempt-1))", () => {
  const options = { initialDelayMs: 500, maxDelayMs: 30_000 };
  for (let attempt = 1; attempt <= 40; attempt++) {
    const base = Math.min(30_000, 500 * 2 ** (attempt - 1));
    for (const random of randoms) {
      const delay = backoffDelay(attempt, random, options);
      assert.ok(delay >= base / 2 && delay < base, `attempt ${attempt}, random ${random}: ${delay} not in [${base / 2}, ${base})`);
    }
    assert.equal(backoffDelay(attempt, 0, options), base / 2);
  }
  assert.equal(backoffDelay(1, 0.5, options), 375);
  assert.equal(backoffDelay(3, 0, options), 1_000);
  assert.equal(backoffDelay(7, 0, options), 15_000); // 500 * 64 = 32 000, capped at 30 000
  assert.equal(backoffDelay(10_000, 0, options), 15_000); // no overflow to Infinity or NaN
});

test("backoff defaults are 500 ms to 30 s without an attempt limit", () => {
  assert.deepEqual({ ...DEFAULT_RECONNECT }, { initialDelayMs: 500, maxDelayMs: 30_000, maxAttempts: Infinity });
  assert.equal(backoffDelay(1, 0), 250);
  assert.equal(backoffDelay(100, 0), 15_000);
});

test("backoff rejects out-of-range arguments", () => {
  for (const [attempt, random, options] of [
    [0, 0.5, {}],
    [1.5, 0.5, {}],
    [1, 1, {}],
    [1, -0.1, {}],
    [1, Number.NaN, {}],
    [1, 0.5, { initialDelayMs: 0 }],
    [1, 0.5, { initialDelayMs: 100, maxDelayMs: 99 }],
    [1, 0.5, { maxDelayMs: Infinity }],
  ] as const) {
    assert.throws(() => backoffDelay(attempt, random, options), RangeError, JSON.stringify([attempt, random, options]));
  }
});
