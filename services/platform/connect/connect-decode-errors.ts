import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";

/**
 * connect-node decodes a request before any interceptor or handler of ours runs, and answers a
 * JSON field it cannot decode with @bufbuild/protobuf's wording: `{"id": "xyz"}` for an int64
 * field gives `cannot decode field superheroes.fight.v1.GetFightRequest.id from JSON: expected
 * bigint (int64): xyz out of range`, "out of range" for something that is no number at all. Its
 * answer is the one place left to word that: these handlers re-word the integer cases (still
 * INVALID_ARGUMENT) so the message names the field, the value and the format to send.
 */
export function withClearDecodeErrors(handler: UniversalHandler): UniversalHandler {
  const wrapped = async (request: Parameters<UniversalHandler>[0]) => reword(await handler(request));
  return Object.assign(wrapped, handler);
}

const integerRanges: Record<string, string> = {
  int64: "-9223372036854775808 to 9223372036854775807",
  sint64: "-9223372036854775808 to 9223372036854775807",
  sfixed64: "-9223372036854775808 to 9223372036854775807",
  uint64: "0 to 18446744073709551615",
  fixed64: "0 to 18446744073709551615",
  int32: "-2147483648 to 2147483647",
  sint32: "-2147483648 to 2147483647",
  sfixed32: "-2147483648 to 2147483647",
  uint32: "0 to 4294967295",
  fixed32: "0 to 4294967295",
};

const integerProblem =
  /^cannot decode field (?:[\w.]+\.)?(\w+) from JSON: expected (?:bigint|number) \((\w+)\)(?:: (.*) out of range|, got (.*))$/s;

/**
 * The clear wording of a JSON decode message about an integer field, e.g. `id: "xyz" is not an
 * int64: send a whole number from -9223372036854775808 to 9223372036854775807, as a JSON string
 * ("42") or number`; undefined for any other message (kept as it is).
 */
export function clearDecodeMessage(message: string): string | undefined {
  const match = integerProblem.exec(message);
  if (match === null) return undefined;
  const [, field, type, outOfRange, got] = match as unknown as [string, string, string, string?, string?];
  const range = integerRanges[type];
  if (range === undefined) return undefined;
  const value = outOfRange === undefined ? got : JSON.stringify(outOfRange);
  const asString = type.endsWith("64") ? `, as a JSON string ("42") or number` : "";
  const article = type.startsWith("u") || type.startsWith("fixed") ? "a" : "an";
  return `${field}: ${value} is not ${article} ${type}: send a whole number from ${range}${asString}`;
}

/** A Connect error answer (JSON `{code, message}`) with its message re-worded; anything else as it was. */
async function reword(response: UniversalServerResponse): Promise<UniversalServerResponse> {
  const type = response.header?.get("content-type") ?? "";
  if (response.status !== 400 || !type.startsWith("application/json") || response.body === undefined) return response;
  const bytes = await readAll(response.body);
  const error = parseError(bytes);
  const clearer = error === undefined ? undefined : clearDecodeMessage(error.message);
  const body = clearer === undefined ? bytes : new TextEncoder().encode(JSON.stringify({ ...error, message: clearer }));
  const header = new Headers(response.header);
  header.delete("content-length");
  return { ...response, header, body: once(body) };
}

function parseError(bytes: Uint8Array): { code: string; message: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { code, message } = parsed as Record<string, unknown>;
    return code === "invalid_argument" && typeof message === "string" ? { ...parsed, code, message } : undefined;
  } catch {
    return undefined;
  }
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
