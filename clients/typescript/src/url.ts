/** The query parameter carrying the protocol version. */
export const VERSION_PARAM = "x-zocket-version";

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = "1";

/**
 * The URL to connect to: `url` without its fragment, its query kept, then each header that is not
 * null or undefined as `name=String(value)` (both URL-encoded), then `x-zocket-version=1` unless the
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
