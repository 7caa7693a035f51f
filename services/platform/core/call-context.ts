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
  /** Who calls, for the admin rules (platform/admin/admin-access.ts); undefined when the edge does not say. */
  caller?: CallerCredentials;
}

/** What an edge knows of the caller: where it calls from and what credentials it sent. */
export interface CallerCredentials {
  /** The peer's IP address (no port), e.g. `127.0.0.1` or `::1`; undefined when unknown. */
  address: string | undefined;
  /** The `authorization` header or metadata value as sent; undefined when absent. */
  authorization: string | undefined;
}
