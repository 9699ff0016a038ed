export { createClient } from "./client.js";
export { ZocketError, formatPath, type Violation } from "./errors.js";
export { backoffDelay, DEFAULT_RECONNECT } from "./backoff.js";
export { connectionUrl, PROTOCOL_VERSION, VERSION_PARAM } from "./url.js";
export type {
  CallFunction,
  CallOptions,
  CallRouteDef,
  ClientOptions,
  ClientState,
  Contract,
  EventDef,
  EventTree,
  HeadersOf,
  ListenerOf,
  OnTree,
  ReconnectOptions,
  ReplyOf,
  RouteDef,
  RouteFunction,
  RouteTree,
  Schema,
  SendFunction,
  SendRouteDef,
  SendTree,
  Unsubscribe,
  WebSocketConstructor,
  WebSocketLike,
  WhileDisconnected,
  ZocketClient,
} from "./types.js";
