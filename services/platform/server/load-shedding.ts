import {
  Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
  ServerInterceptingCall,
  status as Status,
} from "@grpc/grpc-js";

/** Bounded in-flight work: the interceptor and its live count. */
export interface LoadShedder {
  interceptor: ServerInterceptor;
  /** Calls being handled now. */
  inFlight(): number;
  /** Calls refused since start. */
  shed(): number;
}

/**
 * Refuses calls beyond `maxInFlight` at once with RESOURCE_EXHAUSTED instead of queueing
 * them: a queue past capacity only turns overload into timeouts for everyone. Health and
 * reflection are never shed. Nothing is remembered, so the service is back to normal as soon
 * as the load drops.
 */
export function createLoadShedder(maxInFlight: number): LoadShedder {
  let inFlight = 0;
  let shed = 0;
  const interceptor: ServerInterceptor = (
    descriptor: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ) => {
    if (descriptor.path.startsWith("/grpc.")) return new ServerInterceptingCall(call);
    let counted = false;
    const release = () => {
      if (counted) inFlight -= 1;
      counted = false;
    };
    const intercepting: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            if (inFlight >= maxInFlight) {
              shed += 1;
              intercepting.sendStatus({
                code: Status.RESOURCE_EXHAUSTED,
                details: `server busy: more than ${maxInFlight} calls in flight; retry with backoff`,
                metadata: new Metadata(),
              });
              return;
            }
            inFlight += 1;
            counted = true;
            nextMetadata(metadata);
          },
          onCancel: release,
        }),
      sendStatus: (status, next) => {
        release();
        next(status);
      },
    });
    return intercepting;
  };
  return { interceptor, inFlight: () => inFlight, shed: () => shed };
}
