import { InvalidArgumentError } from "./errors.js";

/**
 * Keyset page tokens: opaque to clients, base64url of `{ v: 1, k: <last key>, f: <filter> }`, the
 * key a decimal string (an int64 key does not fit a JSON number; tokens with a number key, issued
 * before, still decode). Decoding accepts only a positive int64 key and the exact filter the token
 * was made for, so a forged or stale token is an INVALID_ARGUMENT, and nothing from it reaches
 * SQL but a bound integer.
 */
export function encodePageToken(lastKey: bigint | number, filter = ""): string {
  return Buffer.from(JSON.stringify({ v: 1, k: String(lastKey), f: filter })).toString("base64url");
}

const largestInt64 = 2n ** 63n - 1n;

/** The last key of the previous page, or undefined for an empty token (first page). */
export function decodePageToken(token: string, filter = "", field = "page_token"): bigint | undefined {
  if (token === "") return undefined;
  const parsed = parse(token);
  if (typeof parsed !== "object" || parsed === null) throw invalid(field);
  const { v, k, f } = parsed as Record<string, unknown>;
  const key = keyFrom(k);
  if (v !== 1 || key === undefined || typeof f !== "string") throw invalid(field);
  if (f !== filter)
    throw new InvalidArgumentError(field, "was issued for a different filter; start again from an empty page_token");
  return key;
}

function keyFrom(k: unknown): bigint | undefined {
  if (typeof k === "number" && Number.isSafeInteger(k) && k >= 1) return BigInt(k);
  if (typeof k !== "string" || !/^[1-9][0-9]{0,18}$/.test(k)) return undefined;
  const key = BigInt(k);
  return key <= largestInt64 ? key : undefined;
}

function parse(token: string): unknown {
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function invalid(field: string): InvalidArgumentError {
  return new InvalidArgumentError(
    field,
    "is not a token this server issued; pass next_page_token from the previous response, or empty for the first page",
  );
}
