import { constants, type ClientHttp2Session } from "node:http2";

/**
 * One unary gRPC call as a raw HTTP/2 stream on `session` (as h2load sends them, without a
 * grpc-js client): resolves with its grpc-status ("0", "8", ...), REFUSED_STREAM when the server
 * reset the stream unread (opened past the connection's stream allowance before the client read
 * the lower setting; a grpc-js client retries those transparently), or NO_STATUS. `frame` is the
 * request's gRPC frame (length prefix included).
 */
export function callOnSession(
  session: ClientHttp2Session,
  path: string,
  frame: Buffer,
  headers: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve) => {
    let status: string | undefined;
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: path,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
      te: "trailers",
      ...headers,
    });
    const take = (received: Record<string, unknown>) => {
      if (received["grpc-status"] !== undefined) status = String(received["grpc-status"]);
    };
    stream
      .on("response", take)
      .on("trailers", take)
      .on("data", () => undefined);
    stream.on("error", () => undefined);
    stream.on("close", () =>
      resolve(status ?? (stream.rstCode === constants.NGHTTP2_REFUSED_STREAM ? "REFUSED_STREAM" : "NO_STATUS")),
    );
    stream.end(frame);
  });
}
