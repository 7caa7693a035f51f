import {
  InterceptingCall,
  type Interceptor,
  type InterceptorOptions,
  Metadata,
  type NextCall,
  status as Status,
  type StatusObject,
} from "@grpc/grpc-js";
import type { CircuitBreaker } from "./circuit-breaker.js";

/** How much one outcome counts against an upstream (README, Resilience). */
export interface FailureWeightOptions {
  /** A success slower than this counts as a failure of weight 1. */
  slowCallMs: number;
}

/**
 * The weight of a call's final outcome: DEADLINE_EXCEEDED and UNAVAILABLE 2, INTERNAL and
 * UNKNOWN 1.5, a slow success 1, other errors 0.5, NOT_FOUND, OK and CANCELLED (our caller
 * went away, not the upstream's fault) 0.
 */
export function failureWeight(code: Status, durationMs: number, options: FailureWeightOptions): number {
  switch (code) {
    case Status.OK:
      return durationMs > options.slowCallMs ? 1 : 0;
    case Status.NOT_FOUND:
    case Status.CANCELLED:
      return 0;
    case Status.DEADLINE_EXCEEDED:
    case Status.UNAVAILABLE:
      return 2;
    case Status.INTERNAL:
    case Status.UNKNOWN:
      return 1.5;
    default:
      return 0.5;
  }
}

/** The details of a call refused by an open breaker. */
export function breakerOpenDetails(upstream: string): string {
  return `circuit breaker for ${upstream} is open; failing fast`;
}

/**
 * A grpc-js client interceptor that asks the breaker before each call and reports the call's
 * final outcome (after the channel's own retries) with its weight. A refused call never reaches
 * the network: it ends at once with UNAVAILABLE, so the caller falls back without waiting.
 */
export function createBreakerInterceptor(
  upstream: string,
  breaker: CircuitBreaker,
  weights: FailureWeightOptions,
): Interceptor {
  return (options: InterceptorOptions, nextCall: NextCall) => {
    const permit = breaker.tryAcquire();
    if (permit === undefined) return refusedCall(options, nextCall, upstream);
    const startedAt = performance.now();
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(metadata, {
          onReceiveStatus(status: StatusObject, nextStatus: (status: StatusObject) => void) {
            permit.done(failureWeight(status.code, performance.now() - startedAt, weights));
            nextStatus(status);
          },
        });
      },
    });
  };
}

/** A call that never starts on the network and ends with UNAVAILABLE. */
function refusedCall(options: InterceptorOptions, nextCall: NextCall, upstream: string): InterceptingCall {
  return new InterceptingCall(nextCall(options), {
    start(_metadata, listener) {
      process.nextTick(() =>
        listener.onReceiveStatus({
          code: Status.UNAVAILABLE,
          details: breakerOpenDetails(upstream),
          metadata: new Metadata(),
        }),
      );
    },
    sendMessage() {},
    halfClose() {},
    cancel() {},
  });
}
