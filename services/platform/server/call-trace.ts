import type { Metadata } from "@grpc/grpc-js";
import { ensureTraceparent, type TraceContext } from "../core/trace-context.js";
import type { ServerCallObserver } from "./server-call-observer.js";

/** The trace of a grpc-js call, from (or born into) its `traceparent` metadata. */
export function ensureTrace(metadata: Metadata): TraceContext {
  const [value] = metadata.get("traceparent");
  return ensureTraceparent(typeof value === "string" ? value : undefined, (traceparent) =>
    metadata.set("traceparent", traceparent),
  );
}

const noEnd = () => undefined;

/**
 * The first observer of every call: gives the call its trace before the access log, the metrics
 * or the handler look at it.
 */
export const traceObserver: ServerCallObserver = (start) => {
  ensureTrace(start.metadata);
  return noEnd;
};
