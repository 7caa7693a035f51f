import {
  Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
  ServerInterceptingCall,
  status as Status,
} from "@grpc/grpc-js";
import { deadlineFromGrpc, remainingMs } from "../core/deadline.js";
import { type ConcurrencyLimiter, isLatencySample, isRefusal, type Permit } from "./concurrency-limiter.js";

/** The grpc-js side of a server's concurrency limiter. */
export interface LoadShedder {
  interceptor: ServerInterceptor;
  /** The limiter, shared with the server's other edges (the Connect edge of fights). */
  limiter: ConcurrencyLimiter;
  /** Calls being handled now. */
  inFlight(): number;
  /** Calls refused since start. */
  shed(): number;
}

/**
 * An interceptor that asks `limiter` for every call as soon as its metadata arrives and answers
 * RESOURCE_EXHAUSTED at once when refused: nothing waits in a queue. It is the server's first
 * interceptor, so a refusal costs as little as it can (`onRefused` counts it); under a flood the
 * cost of each refusal is what every caller waits for. Health and reflection are
 * never shed (probes keep telling the truth under overload). Streams count against the ceiling
 * only. A unary call frees its place under the adaptive limit when its response is produced (its
 * duration from metadata to response is a latency sample), and its ceiling slot when it ends; a
 * call that ends with no response is a sample unless the caller cancelled or its deadline passed.
 */
export function createLoadShedder(
  limiter: ConcurrencyLimiter,
  onRefused: (descriptor: ServerMethodDefinition<unknown, unknown>) => void = () => {},
): LoadShedder {
  const interceptor: ServerInterceptor = (
    descriptor: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ) => {
    if (descriptor.path.startsWith("/grpc.")) return new ServerInterceptingCall(call);
    const kind = descriptor.requestStream || descriptor.responseStream ? "stream" : "unary";
    let permit: Permit | undefined;
    const intercepting: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const admission = limiter.tryAcquire(kind, remainingMs(deadlineFromGrpc(call.getDeadline())));
            if (isRefusal(admission)) {
              onRefused(descriptor);
              intercepting.sendStatus({
                code: Status.RESOURCE_EXHAUSTED,
                details: admission.message,
                metadata: new Metadata(),
              });
              return;
            }
            permit = admission;
            nextMetadata(metadata);
          },
          onCancel: () => permit?.release(false),
        }),
      sendMessage: (message, next) => {
        if (kind === "unary") permit?.responded();
        next(message);
      },
      sendStatus: (status, next) => {
        permit?.release(isLatencySample(status.code));
        next(status);
      },
    });
    return intercepting;
  };
  return { interceptor, limiter, inFlight: () => limiter.inFlight(), shed: () => limiter.shed() };
}
