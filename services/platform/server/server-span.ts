import { status as Status } from "@grpc/grpc-js";
import type { SpanTracer } from "../core/span-tracer.js";
import { formatTraceparent, parseTraceparent } from "../core/trace-context.js";
import { codeName } from "../grpc/grpc-status.js";
import type { ServerCallObserver } from "./server-call-observer.js";

/**
 * Codes that mean the server failed (OpenTelemetry's gRPC conventions): a server span ends in
 * error only for these; a caller's mistake (INVALID_ARGUMENT, NOT_FOUND, ...) is not the server's.
 */
const serverErrorCodes = new Set([
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.UNIMPLEMENTED,
  Status.INTERNAL,
  Status.UNAVAILABLE,
  Status.DATA_LOSS,
]);

/** Probes and tooling, not the services' work: no span, or every health check would be a trace. */
const untracedServices = ["grpc.health.v1.", "grpc.reflection."];

/**
 * A server span per call, when tracing is on; it runs before the trace observer. The span is a
 * child of the caller's `traceparent` (a new trace when there is none), and the call's
 * `traceparent` is then rewritten to the span's own context: the handler's `CallContext.trace`,
 * the access log and every upstream call continue from this span, under the same trace id.
 */
export function createServerSpanObserver(tracer: SpanTracer): ServerCallObserver {
  return (start) => {
    if (untracedServices.some((prefix) => start.service.startsWith(prefix))) return noEnd;
    const [incoming] = start.metadata.get("traceparent");
    const parent = parseTraceparent(typeof incoming === "string" ? incoming : undefined);
    const span = tracer.startSpan(start.path.slice(1), parent, {
      kind: "server",
      attributes: {
        "rpc.system.name": "grpc",
        "rpc.method": start.path.slice(1),
        "network.peer.address": start.peer,
      },
    });
    start.metadata.set("traceparent", formatTraceparent(span.context));
    return (end) =>
      span.end({
        attributes: { "rpc.status_code": codeName(end.code) },
        ...(serverErrorCodes.has(end.code) ? { error: end.details || codeName(end.code) } : {}),
      });
  };
}

const noEnd = () => undefined;
