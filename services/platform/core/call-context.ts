import { cancelledByDeadline, hasPassed } from "./deadline.js";
import { CancelledError, DeadlineExceededError } from "./errors.js";
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

/**
 * Why a call can no longer be answered with a result, or undefined while its caller still waits:
 * DeadlineExceededError once its deadline has passed (a cancel that comes with the deadline is the
 * deadline: see `cancelledByDeadline`), CancelledError when the caller cancelled. Work that would
 * leave a trace (a stored fight) asks this last, right before it commits. `doing` names that work
 * in the message, e.g. "before the fight was stored".
 */
export function callEndedError(
  context: Pick<CallContext, "signal" | "deadline">,
  doing: string,
  now = Date.now(),
): DeadlineExceededError | CancelledError | undefined {
  if (hasPassed(context.deadline, now) || (context.signal.aborted && cancelledByDeadline(context.deadline, now))) {
    return new DeadlineExceededError(`the caller's deadline passed ${doing}`);
  }
  if (context.signal.aborted) return new CancelledError(`the caller cancelled ${doing}`);
  return undefined;
}
