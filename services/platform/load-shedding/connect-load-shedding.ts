import { Code, ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { deadlineAfter, remainingMs } from "../core/deadline.js";
import { type ConcurrencyLimiter, isLatencySample, isRefusal, type Permit } from "./concurrency-limiter.js";

/** Load shedding on the Connect edge: the limits in its first interceptor, the deadline rule in each handler. */
export interface ConnectLoadShedding {
  /**
   * The edge's first interceptor: the same limiter as the process's gRPC server (one process, one
   * capacity), RESOURCE_EXHAUSTED at once when refused. Server streams (WatchFights) count against
   * the ceiling only and hold their slot until the stream ends; a unary call's duration is a
   * latency sample unless the caller cancelled or its deadline passed, or the deadline rule
   * refused it.
   */
  interceptor: Interceptor;
  /**
   * The deadline rule (`ConcurrencyLimiter.refusesShortDeadline`) for a unary call, run by its
   * handler before any work: an interceptor does not see the call's deadline, connect-es parses
   * `connect-timeout-ms` and `grpc-timeout` for the handler. Throws RESOURCE_EXHAUSTED when refused.
   */
  checkDeadline(context: HandlerContext): void;
}

/** Set on a call the deadline rule refused: its permit is released as no latency sample. */
const refusedByDeadline = createContextKey(false, { description: "refused by the deadline rule" });

export function createConnectLoadShedding(limiter: ConcurrencyLimiter): ConnectLoadShedding {
  const interceptor: Interceptor = (next) => async (request) => {
    const admission = limiter.tryAcquire(request.stream ? "stream" : "unary");
    if (isRefusal(admission)) throw new ConnectError(admission.message, Code.ResourceExhausted);
    let response: Awaited<ReturnType<typeof next>>;
    try {
      response = await next(request);
    } catch (error: unknown) {
      const sample = !request.contextValues.get(refusedByDeadline) && isLatencySample(ConnectError.from(error).code);
      admission.release(sample);
      throw error;
    }
    if (!response.stream) {
      admission.release(true);
      return response;
    }
    return { ...response, message: releasedAtEnd(response.message, admission) };
  };
  return {
    interceptor,
    checkDeadline(context) {
      const refusal = limiter.refusesShortDeadline(remainingMs(deadlineAfter(context.timeoutMs())));
      if (refusal === undefined) return;
      context.values.set(refusedByDeadline, true);
      throw new ConnectError(refusal.message, Code.ResourceExhausted);
    },
  };
}

async function* releasedAtEnd<T>(messages: AsyncIterable<T>, permit: Permit): AsyncIterable<T> {
  try {
    yield* messages;
  } finally {
    permit.release(false);
  }
}
