import { type Metadata, type ServerInterceptor, ServerInterceptingCall } from "@grpc/grpc-js";
import { ensureTraceparent, type TraceContext } from "../core/trace-context.js";

/** The trace of a grpc-js call, from (or born into) its `traceparent` metadata. */
export function ensureTrace(metadata: Metadata): TraceContext {
  const [value] = metadata.get("traceparent");
  return ensureTraceparent(typeof value === "string" ? value : undefined, (traceparent) =>
    metadata.set("traceparent", traceparent),
  );
}

/** The outermost server interceptor: gives every call a trace before anything logs it. */
export const traceInterceptor: ServerInterceptor = (_descriptor, call) =>
  new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, nextMetadata) => {
          ensureTrace(metadata);
          nextMetadata(metadata);
        },
      }),
  });
