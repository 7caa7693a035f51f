import {
  InterceptingCall,
  type Interceptor,
  type InterceptorOptions,
  type InterceptingListener,
  Metadata,
  type NextCall,
  status as Status,
  type StatusObject,
} from "@grpc/grpc-js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import { deadlineFromGrpc } from "../core/deadline.js";
import type { SlowCallThreshold } from "./slow-call-threshold.js";

/** What one outcome is judged against. */
export interface CallBudget {
  /** The time this call had: its deadline minus its start, ms (Infinity without a deadline). */
  callBudgetMs: number;
  /** The upstream's own time budget, the per-upstream cap on every call's deadline, ms. */
  upstreamBudgetMs: number;
  /** A success slower than this counts as a failure of weight 1, ms. */
  slowCallMs: number;
}

/**
 * A call whose budget was within this of the upstream's own budget had the upstream's full time:
 * the deadline is computed a moment before the call starts, in the same turn of the event loop.
 */
const budgetSlackMs = 5;

/**
 * The weight of a call's final outcome against its upstream, or undefined when the outcome is
 * not the upstream's doing and must count neither way: CANCELLED (our caller went away, or a
 * coalesced batch lost every caller) and DEADLINE_EXCEEDED of a call that had less than the
 * upstream's own budget (the caller's shorter deadline ran out, not the upstream's time).
 * Otherwise: DEADLINE_EXCEEDED and UNAVAILABLE 2, INTERNAL and UNKNOWN 1.5, a slow success 1,
 * other errors 0.5, OK and NOT_FOUND 0.
 */
export function failureWeight(code: Status, durationMs: number, budget: CallBudget): number | undefined {
  switch (code) {
    case Status.OK:
      return durationMs > budget.slowCallMs ? 1 : 0;
    case Status.CANCELLED:
      return undefined;
    case Status.NOT_FOUND:
      return 0;
    case Status.DEADLINE_EXCEEDED:
      return budget.callBudgetMs >= budget.upstreamBudgetMs - budgetSlackMs ? 2 : undefined;
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

/** Options of `createBreakerInterceptor`. */
export interface BreakerInterceptorOptions {
  /** The upstream's own time budget per call (its deadline cap), ms. */
  upstreamBudgetMs: number;
  /** What a slow success is for this upstream, learning from its successes. */
  slowCall: SlowCallThreshold;
}

/**
 * A grpc-js client interceptor that asks the breaker before each call and reports the call's
 * final outcome (after the channel's own retries), weighed by `failureWeight`, or abandons the
 * permit when the outcome is not the upstream's. A refused call never reaches the channel: it
 * ends at once with UNAVAILABLE, so the caller falls back without waiting.
 */
export function createBreakerInterceptor(
  upstream: string,
  breaker: CircuitBreaker,
  options: BreakerInterceptorOptions,
): Interceptor {
  return (callOptions: InterceptorOptions, nextCall: NextCall) => {
    const permit = breaker.tryAcquire();
    if (permit === undefined) return refusedCall(upstream);
    const startedAt = performance.now();
    const callBudgetMs = deadlineFromGrpc(callOptions.deadline ?? Infinity) - Date.now();
    return new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        next(metadata, {
          onReceiveStatus(status: StatusObject, nextStatus: (status: StatusObject) => void) {
            const durationMs = performance.now() - startedAt;
            const weight = failureWeight(status.code, durationMs, {
              callBudgetMs,
              upstreamBudgetMs: options.upstreamBudgetMs,
              slowCallMs: options.slowCall.currentMs(),
            });
            if (weight === undefined) permit.abandon();
            else permit.done(weight);
            if (status.code === Status.OK) options.slowCall.record(durationMs);
            nextStatus(status);
          },
        });
      },
    });
  };
}

/**
 * A call that ends with UNAVAILABLE on the next tick and creates nothing on the channel: no
 * resolving call, no deadline timer, no stream.
 */
function refusedCall(upstream: string): InterceptingCall {
  const refused: ConstructorParameters<typeof InterceptingCall>[0] = {
    start(_metadata: Metadata, listener?: Partial<InterceptingListener>) {
      process.nextTick(() =>
        listener?.onReceiveStatus?.({
          code: Status.UNAVAILABLE,
          details: breakerOpenDetails(upstream),
          metadata: new Metadata(),
        }),
      );
    },
    cancelWithStatus() {},
    getPeer: () => "",
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {},
    halfClose() {},
    getAuthContext: () => null,
  };
  return new InterceptingCall(refused);
}
