/** The query parameter carrying the protocol version. */
export const VERSION_PARAM = "x-zocket-version";

/**
 * The protocol version this client announces: `0.1.0`, the string a Zocket v1 (TypeScript) server
 * expects (it warns on any other); a Zocket for Java server takes it for its protocol too.
 * Extensions are negotiated by their own parameters.
 */
export const PROTOCOL_VERSION = "0.1.0";

/**
 * The URL to connect to: `url` without its fragment, its query kept, then each header that is not
 * null or undefined as `name=String(value)` (both URL-encoded), then `x-zocket-version=0.1.0` unless the
 * URL or the headers already give it.
 *
 * @throws TypeError if `url` is not an absolute URL
 */
export function connectionUrl(url: string, headers?: Readonly<Record<string, unknown>>): string {
  const parsed = new URL(url);
  parsed.hash = "";
  const pairs: string[] = [];
  let hasVersion = parsed.searchParams.has(VERSION_PARAM);
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) {
      continue;
    }
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
    hasVersion ||= name === VERSION_PARAM;
  }
  if (!hasVersion) {
    pairs.push(`${VERSION_PARAM}=${PROTOCOL_VERSION}`);
  }
  const existing = parsed.search.startsWith("?") ? parsed.search.slice(1) : parsed.search;
  parsed.search = [existing, ...pairs].filter((part) => part !== "").join("&");
  return parsed.toString();
}

/** The URL without its query and fragment, for messages (a query may hold a token). */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** The query parameter by which a client says it can recover a session: `x-zocket-recovery=1`. */
export const RECOVERY_PARAM = "x-zocket-recovery";

/** The query parameter carrying the session token of an earlier `__session` message on a reconnect. */
export const SESSION_PARAM = "x-zocket-session";

/** The query parameter carrying the client's last position (of an event or `__session`) on a reconnect. */
export const POS_PARAM = "x-zocket-pos";

/**
 * The URL of one connection attempt of a client that can recover: `url` (from `connectionUrl`) with
 * `x-zocket-recovery=1` added unless it already has that parameter, then, when `session` is given,
 * `x-zocket-session=<session>` and `x-zocket-pos=<pos>` (URL-encoded; `pos` only when given).
 *
 * @throws TypeError if `url` is not an absolute URL
 */
export function recoveryUrl(url: string, session?: string, pos?: string): string {
  const parsed = new URL(url);
  const pairs: string[] = [];
  if (!parsed.searchParams.has(RECOVERY_PARAM)) {
    pairs.push(`${RECOVERY_PARAM}=1`);
  }
  if (session !== undefined) {
    pairs.push(`${SESSION_PARAM}=${encodeURIComponent(session)}`);
    if (pos !== undefined) {
      pairs.push(`${POS_PARAM}=${encodeURIComponent(pos)}`);
    }
  }
  const existing = parsed.search.startsWith("?") ? parsed.search.slice(1) : parsed.search;
  parsed.search = [existing, ...pairs].filter((part) => part !== "").join("&");
  return parsed.toString();
}

/** The query parameter by which a client says it can consume streams (extension): `x-zocket-streams=1`. */
export const STREAMS_PARAM = "x-zocket-streams";

/**
 * `url` with `x-zocket-streams=1` added unless it already has that parameter.
 *
 * @throws TypeError if `url` is not an absolute URL
 */
export function streamsUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has(STREAMS_PARAM)) {
    return url;
  }
  const existing = parsed.search.startsWith("?") ? parsed.search.slice(1) : parsed.search;
  parsed.search = [existing, `${STREAMS_PARAM}=1`].filter((part) => part !== "").join("&");
  return parsed.toString();
}

/** The query parameter by which a client asks for the liveness extension: `x-zocket-liveness=1`. */
export const LIVENESS_PARAM = "x-zocket-liveness";

/**
 * `url` with `x-zocket-liveness=1` added unless it already has that parameter.
 *
 * @throws TypeError if `url` is not an absolute URL
 */
export function livenessUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has(LIVENESS_PARAM)) {
    return url;
  }
  const existing = parsed.search.startsWith("?") ? parsed.search.slice(1) : parsed.search;
  parsed.search = [existing, `${LIVENESS_PARAM}=1`].filter((part) => part !== "").join("&");
  return parsed.toString();
}

/** The query parameter by which a client says it answers acknowledged events: `x-zocket-acks=1`. */
export const ACKS_PARAM = "x-zocket-acks";

/**
 * `url` with `x-zocket-acks=1` added unless it already has that parameter.
 *
 * @throws TypeError if `url` is not an absolute URL
 */
export function acksUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has(ACKS_PARAM)) {
    return url;
  }
  const existing = parsed.search.startsWith("?") ? parsed.search.slice(1) : parsed.search;
  parsed.search = [existing, `${ACKS_PARAM}=1`].filter((part) => part !== "").join("&");
  return parsed.toString();
}
