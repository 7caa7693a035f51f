import { once } from "node:events";
import { connect, constants, type ClientHttp2Session } from "node:http2";

/** What came back for one raw request: HTTP status and the gRPC status from headers or trailers. */
export interface RawAnswer {
  httpStatus: number;
  /** Undefined when the server sent none (e.g. an HTTP error before gRPC). */
  grpcStatus: number | undefined;
  grpcMessage: string;
  /** Response body bytes (gRPC frames). */
  body: Buffer;
}

/** A gRPC frame: flag byte, 4-byte big-endian `declaredLength`, then `payload` as given. */
export function frame(payload: Buffer, declaredLength = payload.length): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([header, payload]);
}

/** An h2c session to 127.0.0.1:port with its errors swallowed (the server may reset it). */
export async function openSession(port: number): Promise<ClientHttp2Session> {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on("error", () => undefined);
  await once(session, "connect");
  return session;
}

/** Options of `rawRequest`. */
export interface RawRequestOptions {
  contentType?: string;
  /** More request headers, e.g. `{ "grpc-timeout": "soon" }`. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Sends `body` as a POST to `path` and collects the answer; bounded by `timeoutMs` (default 5 s). */
export function rawRequest(
  session: ClientHttp2Session,
  path: string,
  body: Buffer,
  options: RawRequestOptions = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: path,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: options.contentType ?? "application/grpc",
      te: "trailers",
      ...options.headers,
    });
    const chunks: Buffer[] = [];
    let httpStatus = 0;
    let grpcStatus: number | undefined;
    let grpcMessage = "";
    const take = (headers: Record<string, unknown>) => {
      if (headers["grpc-status"] !== undefined) grpcStatus = Number(headers["grpc-status"]);
      if (typeof headers["grpc-message"] === "string") grpcMessage = decodeURIComponent(headers["grpc-message"]);
    };
    const timer = setTimeout(() => {
      stream.close(constants.NGHTTP2_CANCEL);
      reject(new Error(`no answer to ${path} within ${options.timeoutMs ?? 5000} ms`));
    }, options.timeoutMs ?? 5000);
    stream.on("response", (headers) => {
      httpStatus = Number(headers[constants.HTTP2_HEADER_STATUS]);
      take(headers);
    });
    stream.on("trailers", take);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", () => undefined);
    stream.on("close", () => {
      clearTimeout(timer);
      resolve({ httpStatus, grpcStatus, grpcMessage, body: Buffer.concat(chunks) });
    });
    stream.end(body);
  });
}
