import { Code, ConnectError, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import type { SpanTracer, TracedSpan } from "../core/span-tracer.js";
import { formatTraceparent, parseTraceparent } from "../core/trace-context.js";

/** Connect codes that mean the server failed (the same set as the grpc-js server span's). */
const serverErrorCodes = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

/**
 * The Connect edge's server span per call, when tracing is on; it runs before
 * `connectTraceInterceptor`. Like the grpc-js server span (server-span.ts): a child of the
 * caller's `traceparent`, which is then rewritten to the span's own context for the handler.
 * A server stream's span lasts until the stream ends.
 */
export function createConnectSpanInterceptor(tracer: SpanTracer): Interceptor {
  return (next) => async (request) => {
    const method = `${request.service.typeName}/${request.method.name}`;
    const span = tracer.startSpan(method, parseTraceparent(request.header.get("traceparent") ?? undefined), {
      kind: "server",
      attributes: { "rpc.system.name": "connect_rpc", "rpc.method": method },
    });
    request.header.set("traceparent", formatTraceparent(span.context));
    try {
      const response = await next(request);
      if (!response.stream) {
        span.end({ attributes: { "rpc.status_code": "OK" } });
        return response;
      }
      return { ...response, message: endingWith(response.message, span) } as StreamResponse;
    } catch (error: unknown) {
      endFailed(span, error);
      throw error;
    }
  };
}

async function* endingWith<T>(messages: AsyncIterable<T>, span: TracedSpan): AsyncIterable<T> {
  try {
    yield* messages;
    span.end({ attributes: { "rpc.status_code": "OK" } });
  } catch (error: unknown) {
    endFailed(span, error);
    throw error;
  } finally {
    // The reader went away mid-stream.
    span.end({ attributes: { "rpc.status_code": "CANCELLED" } });
  }
}

function endFailed(span: TracedSpan, error: unknown): void {
  const connectError = ConnectError.from(error);
  span.end({
    attributes: { "rpc.status_code": Code[connectError.code] ?? String(connectError.code) },
    ...(serverErrorCodes.has(connectError.code) ? { error: connectError.rawMessage } : {}),
  });
}
