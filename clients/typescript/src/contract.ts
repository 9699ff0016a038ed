import type { Contract, Schema } from "./types.js";

/** A route found in a contract, with its dot-joined wire name. */
export interface RouteEntry {
  readonly type: string;
  readonly path: readonly string[];
  readonly kind: "send" | "call" | "stream";
  readonly payload: Schema | undefined;
  /** The reply's schema for a call; the item's for a stream. */
  readonly reply: Schema | undefined;
  readonly timeoutMs: number | undefined;
}

/** An event found in a contract, with its dot-joined wire name. */
export interface EventEntry {
  readonly type: string;
  readonly path: readonly string[];
  readonly payload: Schema | undefined;
  /** Whether the client answers it (an acknowledged event). */
  readonly ack: boolean;
  /** The answer's schema, for an acknowledged event with an answer. */
  readonly reply: Schema | undefined;
}

/** Whether a value is a zod 4 schema (classic or mini, from any copy of zod 4). */
export function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && "_zod" in value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isSchema(value);
}

function invalid(path: readonly string[], what: string): TypeError {
  return new TypeError(`Invalid contract at ${path.join(".") || "(root)"}: ${what}`);
}

function optionalSchema(node: Record<string, unknown>, key: string, path: readonly string[]): Schema | undefined {
  const value = node[key];
  if (value === undefined) {
    return undefined;
  }
  if (!isSchema(value)) {
    throw invalid(path, `${key} is not a zod schema`);
  }
  return value;
}

/** Every route of `contract.routes`: a node with a string `kind` is a route, any other object a namespace. */
export function collectRoutes(contract: Contract): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (!isPlainObject(node)) {
      throw invalid(path, "expected an object");
    }
    if (path.length > 0 && typeof node["kind"] === "string") {
      const kind = node["kind"];
      if (kind !== "send" && kind !== "call" && kind !== "stream") {
        throw invalid(path, `unknown kind "${kind}"`);
      }
      if (kind === "stream" && !isSchema(node["item"])) {
        throw invalid(path, "a stream's item is not a zod schema");
      }
      const timeoutMs = node["timeoutMs"];
      if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
        throw invalid(path, "timeoutMs is not a positive number");
      }
      out.push({
        type: path.join("."),
        path,
        kind,
        payload: optionalSchema(node, "payload", path),
        reply:
          kind === "call"
            ? optionalSchema(node, "reply", path)
            : kind === "stream"
              ? optionalSchema(node, "item", path)
              : undefined,
        timeoutMs,
      });
      return;
    }
    for (const key of Object.keys(node)) {
      walk(node[key], [...path, key]);
    }
  };
  walk(contract.routes, []);
  return out;
}

/**
 * Every event of `contract.events`: `{}`, `{ payload: schema }` or one with `ack: true` (and
 * optionally `payload` and `reply`) is an event, any other object a namespace.
 */
export function collectEvents(contract: Contract): EventEntry[] {
  const out: EventEntry[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (!isPlainObject(node)) {
      throw invalid(path, "expected an object");
    }
    const keys = Object.keys(node);
    const ack = node["ack"] === true;
    if (path.length > 0 && !ack && isSchema(node["reply"])) {
      throw invalid(path, "reply is for acknowledged events: add ack: true");
    }
    if (path.length > 0 && (keys.length === 0 || isSchema(node["payload"]) || ack)) {
      out.push({
        type: path.join("."),
        path,
        payload: optionalSchema(node, "payload", path),
        ack,
        reply: ack ? optionalSchema(node, "reply", path) : undefined,
      });
      return;
    }
    for (const key of keys) {
      walk(node[key], [...path, key]);
    }
  };
  walk(contract.events, []);
  return out;
}

/** Builds a nested object with `leaf(entry)` at each entry's path. */
export function buildTree<E extends { readonly path: readonly string[] }>(
  entries: readonly E[],
  leaf: (entry: E) => unknown,
): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const entry of entries) {
    let node = root;
    entry.path.forEach((segment, i) => {
      if (i === entry.path.length - 1) {
        Object.defineProperty(node, segment, { value: leaf(entry), enumerable: true });
      } else {
        if (!Object.hasOwn(node, segment)) {
          Object.defineProperty(node, segment, { value: {}, enumerable: true });
        }
        node = node[segment] as Record<string, unknown>;
      }
    });
  }
  return freezeDeep(root);
}

function freezeDeep(node: Record<string, unknown>): Record<string, unknown> {
  for (const value of Object.values(node)) {
    if (isPlainObject(value)) {
      freezeDeep(value);
    }
  }
  return Object.freeze(node);
}
