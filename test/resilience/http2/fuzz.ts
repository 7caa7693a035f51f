import { randomBytes, randomInt } from "node:crypto";
import { connect } from "node:net";
import type { ClientHttp2Session } from "node:http2";
import { frame, rawRequest } from "./raw-grpc.js";

/** What a fuzz run sent and got back. */
export interface FuzzReport {
  requests: number;
  /** grpc-status (or `http <n>` when there was none; INTERNAL with its message) → count. */
  answers: Record<string, number>;
  /** Raw TCP connections that sent random bytes after the HTTP/2 preface. */
  junkConnections: number;
}

/**
 * Sends `count` random bodies spread over `paths`, `concurrency` at a time: mostly well-framed
 * random protobuf bytes, some with lying length prefixes or no frame at all. Then opens
 * `junkConnections` raw TCP connections that send the HTTP/2 preface followed by random frames.
 */
export async function fuzz(
  session: ClientHttp2Session,
  port: number,
  paths: readonly string[],
  count: number,
  junkConnections = 50,
): Promise<FuzzReport> {
  const answers: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const answer = await rawRequest(session, paths[index % paths.length]!, randomBody(), { timeoutMs: 10_000 }).catch(
        () => undefined,
      );
      const key =
        answer === undefined
          ? "no answer"
          : answer.grpcStatus === undefined
            ? `http ${answer.httpStatus}`
            : answer.grpcStatus === 13
              ? `13 ${answer.grpcMessage.slice(0, 60)}`
              : String(answer.grpcStatus);
      answers[key] = (answers[key] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  for (let i = 0; i < junkConnections; i++) await sendJunk(port);
  return { requests: count, answers, junkConnections };
}

function randomBody(): Buffer {
  const payload = randomBytes(randomInt(0, 256));
  const kind = randomInt(0, 10);
  if (kind < 7) return frame(payload);
  if (kind === 7) return frame(payload, randomInt(0, 2 ** 32));
  if (kind === 8) return Buffer.concat([frame(payload), frame(randomBytes(randomInt(0, 32)))]);
  return payload;
}

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** The HTTP/2 preface then random bytes (random frame headers and payloads), then close. */
function sendJunk(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () =>
      socket.end(Buffer.concat([preface, randomBytes(randomInt(9, 2048))])),
    );
    socket.on("data", () => undefined);
    socket.on("error", () => resolve());
    socket.on("close", () => resolve());
    socket.setTimeout(5000, () => socket.destroy());
  });
}
