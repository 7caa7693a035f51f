import {
  InterceptingCall,
  type Interceptor,
  type InterceptorOptions,
  type NextCall,
  type StatusObject,
} from "@grpc/grpc-js";
import { Counter, Histogram, type Registry } from "prom-client";
import { codeName } from "../grpc/grpc-status.js";
import type { Logger } from "./logger.js";
import { handlingSecondsBuckets } from "./server-metrics.js";

/** Client-side metrics of every upstream, with go-grpc-prometheus names plus an `upstream` label. */
export interface ClientMetrics {
  handled: Counter<"upstream" | "grpc_service" | "grpc_method" | "grpc_code">;
  handling: Histogram<"upstream" | "grpc_service" | "grpc_method">;
}

/** Registers grpc_client_handled_total and grpc_client_handling_seconds. */
export function createClientMetrics(registry: Registry): ClientMetrics {
  return {
    handled: new Counter({
      name: "grpc_client_handled_total",
      help: "Total number of RPCs completed by the client, regardless of success or failure.",
      labelNames: ["upstream", "grpc_service", "grpc_method", "grpc_code"],
      registers: [registry],
    }),
    handling: new Histogram({
      name: "grpc_client_handling_seconds",
      help: "Histogram of response latency (seconds) of the gRPC until it is finished by the application.",
      labelNames: ["upstream", "grpc_service", "grpc_method"],
      buckets: handlingSecondsBuckets,
      registers: [registry],
    }),
  };
}

/** One finished upstream call, as the timing interceptor saw it. */
export interface UpstreamCallRecord {
  upstream: string;
  method: string;
  code: StatusObject["code"];
  durationMs: number;
}

/** Options of `createTimingInterceptor`. */
export interface TimingInterceptorOptions {
  upstream: string;
  metrics: ClientMetrics;
  logger: Logger;
  /** Calls slower than this get a warn line naming the upstream. */
  slowCallMs: number;
  /** Also told of every finished call (e.g. for /stats percentiles). */
  onCall?: (record: UpstreamCallRecord) => void;
}

/**
 * Times every call to one upstream (including breaker refusals, which take ~0 ms): a metric
 * by code, and a warn log line with the trace id for each call slower than `slowCallMs`.
 */
export function createTimingInterceptor(options: TimingInterceptorOptions): Interceptor {
  const { upstream, metrics, logger, slowCallMs } = options;
  return (callOptions: InterceptorOptions, nextCall: NextCall) => {
    const [service = "", method = ""] = callOptions.method_definition.path.slice(1).split("/");
    const startedAt = performance.now();
    let traceparent: string | undefined;
    return new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        traceparent = metadata.get("traceparent")[0]?.toString();
        next(metadata, {
          onReceiveStatus(status: StatusObject, nextStatus: (status: StatusObject) => void) {
            const durationMs = performance.now() - startedAt;
            metrics.handled.inc({
              upstream,
              grpc_service: service,
              grpc_method: method,
              grpc_code: codeName(status.code),
            });
            metrics.handling.observe({ upstream, grpc_service: service, grpc_method: method }, durationMs / 1000);
            if (durationMs > slowCallMs) {
              logger.warn(
                {
                  upstream,
                  grpc_method: method,
                  grpc_code: codeName(status.code),
                  durationMs: Math.round(durationMs),
                  traceId: traceparent?.split("-")[1],
                },
                "slow upstream call",
              );
            }
            options.onCall?.({ upstream, method, code: status.code, durationMs });
            nextStatus(status);
          },
        });
      },
    });
  };
}
