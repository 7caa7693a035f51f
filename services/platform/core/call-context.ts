import type { TraceContext } from "./trace-context.js";

/**
 * What protocol-free service code knows about the call it serves. Both the grpc-js adapter and
 * the Connect adapter build one, so service code runs unchanged behind either.
 */
export interface CallContext {
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  /** Absolute deadline in epoch milliseconds; `Infinity` when the caller set none. */
  deadline: number;
  /** The caller's trace; outgoing calls continue it with a child span. */
  trace: TraceContext;
  /** The caller's `x-request-id`, passed on to upstream calls; undefined when absent. */
  requestId: string | undefined;
}
