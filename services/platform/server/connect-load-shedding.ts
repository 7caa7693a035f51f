import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { type ConcurrencyLimiter, isLatencySample, isRefusal, type Permit } from "./concurrency-limiter.js";

/**
 * The Connect edge's first interceptor: the same limiter as the process's gRPC server (one
 * process, one capacity), RESOURCE_EXHAUSTED at once when refused. Server streams (WatchFights)
 * count against the ceiling only and hold their slot until the stream ends; a unary call's
 * duration is a latency sample unless the caller cancelled or its deadline passed.
 */
export function createConnectLoadShedding(limiter: ConcurrencyLimiter): Interceptor {
  return (next) => async (request) => {
    const admission = limiter.tryAcquire(request.stream ? "stream" : "unary");
    if (isRefusal(admission)) throw new ConnectError(admission.message, Code.ResourceExhausted);
    let response: Awaited<ReturnType<typeof next>>;
    try {
      response = await next(request);
    } catch (error: unknown) {
      admission.release(isLatencySample(ConnectError.from(error).code));
      throw error;
    }
    if (!response.stream) {
      admission.release(true);
      return response;
    }
    return { ...response, message: releasedAtEnd(response.message, admission) };
  };
}

async function* releasedAtEnd<T>(messages: AsyncIterable<T>, permit: Permit): AsyncIterable<T> {
  try {
    yield* messages;
  } finally {
    permit.release(false);
  }
}
