/**
 * The few pieces of the PostgreSQL wire protocol (v3) the shared PGlite server handles itself:
 * framing what a client sends, and the messages the server writes without asking PGlite
 * (the start-up handshake, errors). Everything else passes to PGlite as it is.
 */

const sslRequestCode = 80877103;
const gssEncRequestCode = 80877104;
const cancelRequestCode = 80877102;
const protocolVersion3 = 196608;

/** One message from a client. */
export type FrontendMessage =
  | { kind: "ssl-request" }
  | { kind: "cancel-request" }
  | { kind: "startup"; parameters: Record<string, string> }
  /** A typed message (Query 'Q', Parse 'P', Sync 'S', Terminate 'X', ...), bytes included. */
  | { kind: "typed"; type: string; bytes: Uint8Array };

/**
 * Splits what a client sent into messages. Before start-up every message is untyped (length,
 * code); after it every message is typed (a letter, then the length). Returns the messages, the
 * bytes of an incomplete one to keep for the next chunk, and how many bytes that one needs in
 * all when its length is known already (0 when not), so a caller can wait for them all before
 * joining chunks: joining each chunk onto the rest is quadratic for a large message (a seed insert).
 */
export function readFrontendMessages(
  buffer: Buffer,
  startedUp: boolean,
): { messages: FrontendMessage[]; rest: Buffer; needed: number; startedUp: boolean } {
  const messages: FrontendMessage[] = [];
  let offset = 0;
  let needed = 0;
  for (;;) {
    if (!startedUp) {
      if (buffer.length - offset < 8) break;
      const length = buffer.readInt32BE(offset);
      if (buffer.length - offset < length) {
        needed = length;
        break;
      }
      const code = buffer.readInt32BE(offset + 4);
      const body = buffer.subarray(offset + 8, offset + length);
      offset += length;
      if (code === sslRequestCode || code === gssEncRequestCode) messages.push({ kind: "ssl-request" });
      else if (code === cancelRequestCode) messages.push({ kind: "cancel-request" });
      else if (code === protocolVersion3) {
        messages.push({ kind: "startup", parameters: readStartupParameters(body) });
        startedUp = true;
      } else throw new Error(`unsupported protocol version ${code >> 16}.${code & 0xffff}`);
      continue;
    }
    if (buffer.length - offset < 5) break;
    const length = 1 + buffer.readInt32BE(offset + 1);
    if (buffer.length - offset < length) {
      needed = length;
      break;
    }
    const bytes = new Uint8Array(buffer.subarray(offset, offset + length));
    messages.push({ kind: "typed", type: String.fromCharCode(buffer[offset]!), bytes });
    offset += length;
  }
  return { messages, rest: buffer.subarray(offset), needed, startedUp };
}

function readStartupParameters(body: Buffer): Record<string, string> {
  const parts = body.toString("utf8").split("\0");
  const parameters: Record<string, string> = {};
  for (let index = 0; index + 1 < parts.length && parts[index] !== ""; index += 2)
    parameters[parts[index]!] = parts[index + 1]!;
  return parameters;
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

const cstring = (text: string) => Buffer.from(`${text}\0`, "utf8");
const int32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
};

/**
 * The server's answer to a start-up message: authentication OK, the parameters `pg` reads, a
 * backend key, ready for a query. Written by the server at once, so a client connects even while
 * PGlite is still loading (its queries wait until PGlite is ready).
 */
export function startupReply(backendId: number): Buffer {
  const parameters: Record<string, string> = {
    client_encoding: "UTF8",
    server_encoding: "UTF8",
    DateStyle: "ISO, MDY",
    integer_datetimes: "on",
    standard_conforming_strings: "on",
    TimeZone: "UTC",
  };
  return Buffer.concat([
    message("R", int32(0)),
    ...Object.entries(parameters).map(([name, value]) => message("S", Buffer.concat([cstring(name), cstring(value)]))),
    message("K", Buffer.concat([int32(backendId), int32(0)])),
    message("Z", Buffer.from("I")),
  ]);
}

/** A FATAL ErrorResponse with a SQLSTATE, for a client the server turns away. */
export function fatalError(sqlState: string, text: string): Buffer {
  return message(
    "E",
    Buffer.concat([
      cstring("SFATAL"),
      cstring("VFATAL"),
      cstring(`C${sqlState}`),
      cstring(`M${text}`),
      Buffer.from([0]),
    ]),
  );
}

/** A simple-protocol Query message, for statements the server itself runs (search_path, schemas, rollback). */
export function simpleQuery(text: string): Uint8Array {
  return new Uint8Array(message("Q", cstring(text)));
}

/** A Sync message: ends an extended-protocol sequence a client left open. */
export function syncMessage(): Uint8Array {
  return new Uint8Array(message("S", Buffer.alloc(0)));
}

/** The SQLSTATE and message of the first ErrorResponse in PGlite's output, if there is one. */
export function firstError(output: Uint8Array): { code: string; message: string } | undefined {
  const bytes = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  for (let offset = 0; offset + 5 <= bytes.length;) {
    const type = String.fromCharCode(bytes[offset]!);
    const length = bytes.readInt32BE(offset + 1);
    if (type === "E") {
      const fields = new Map<string, string>();
      for (const field of bytes
        .subarray(offset + 5, offset + 1 + length)
        .toString("utf8")
        .split("\0"))
        if (field.length > 0) fields.set(field[0]!, field.slice(1));
      return { code: fields.get("C") ?? "XX000", message: fields.get("M") ?? "unknown error" };
    }
    offset += 1 + length;
  }
  return undefined;
}

/** A NotificationResponse ('A') taken out of PGlite's output, whole, with its channel. */
export interface Notification {
  channel: string;
  bytes: Uint8Array;
}

/**
 * Splits PGlite's output into the notifications it carries and the rest. PGlite delivers a NOTIFY
 * to its one session, i.e. in the output of whichever connection's batch committed it; the
 * server hands it to the connections that LISTEN on that channel instead.
 */
export function takeNotifications(output: Uint8Array): { rest: Uint8Array; notifications: Notification[] } {
  const bytes = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  const notifications: Notification[] = [];
  const kept: Buffer[] = [];
  let keptFrom = 0;
  for (let offset = 0; offset + 5 <= bytes.length;) {
    const end = offset + 1 + bytes.readInt32BE(offset + 1);
    if (bytes[offset] === 0x41 /* 'A' */) {
      kept.push(bytes.subarray(keptFrom, offset));
      keptFrom = end;
      // Int32 sender pid, then the channel and the payload as C strings.
      const channelEnd = bytes.indexOf(0, offset + 9);
      const channel = bytes.subarray(offset + 9, channelEnd).toString("utf8");
      notifications.push({ channel, bytes: Uint8Array.prototype.slice.call(bytes, offset, end) });
    }
    offset = end;
  }
  if (notifications.length === 0) return { rest: output, notifications };
  kept.push(bytes.subarray(keptFrom));
  return { rest: Buffer.concat(kept), notifications };
}

/** What a simple Query does to LISTEN state, if it is a lone LISTEN or UNLISTEN; undefined otherwise. */
export type ListenChange = { listen: string } | { unlisten: string | "*" };

/** Reads a Query message ('Q') as a lone `LISTEN channel` or `UNLISTEN channel|*` statement. */
export function listenChange(query: Uint8Array): ListenChange | undefined {
  if (query[0] !== 0x51 /* 'Q' */) return undefined;
  const text = Buffer.from(query.buffer, query.byteOffset + 5, query.byteLength - 6).toString("utf8");
  const match = /^\s*(listen|unlisten)\s+(\*|"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)\s*;?\s*$/i.exec(text);
  if (match === null) return undefined;
  const raw = match[2]!;
  // Unquoted identifiers fold to lower case, as PostgreSQL folds them.
  const channel = raw.startsWith('"') ? raw.slice(1, -1) : raw === "*" ? "*" : raw.toLowerCase();
  return match[1]!.toLowerCase() === "listen" ? { listen: channel } : { unlisten: channel };
}
