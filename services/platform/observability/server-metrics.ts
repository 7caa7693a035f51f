import { Counter, Histogram, type Registry } from "prom-client";
import { codeName } from "../grpc/grpc-status.js";
import type { ServerCallNames, ServerCallObserver } from "../server/server-call-observer.js";

/**
 * Handling-time buckets in seconds: sub-millisecond at the low end because a cached or batched
 * RPC on loopback finishes in ~100 µs, up to 10 s for calls that wait on a slow dependency.
 */
export const handlingSecondsBuckets = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The server metrics of one registry: an observer of handled calls, and a count of refused ones. */
export interface ServerMetrics {
  observer: ServerCallObserver;
  /**
   * A call refused by load shedding before any observer saw it: counted as started and handled
   * with RESOURCE_EXHAUSTED (not timed: it took no handling), so the codes still add up.
   */
  countRefused(call: ServerCallNames): void;
}

/**
 * Server metrics with go-grpc-prometheus names, so existing dashboards work:
 * grpc_server_started_total, grpc_server_handled_total{grpc_code}, grpc_server_handling_seconds.
 */
export function createServerMetrics(registry: Registry): ServerMetrics {
  const labelNames = ["grpc_type", "grpc_service", "grpc_method"] as const;
  const started = new Counter({
    name: "grpc_server_started_total",
    help: "Total number of RPCs started on the server.",
    labelNames,
    registers: [registry],
  });
  const handled = new Counter({
    name: "grpc_server_handled_total",
    help: "Total number of RPCs completed on the server, regardless of success or failure.",
    labelNames: [...labelNames, "grpc_code"],
    registers: [registry],
  });
  const handling = new Histogram({
    name: "grpc_server_handling_seconds",
    help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
    labelNames,
    buckets: handlingSecondsBuckets,
    registers: [registry],
  });
  const labelsOf = (call: ServerCallNames) => ({
    grpc_type: call.type,
    grpc_service: call.service,
    grpc_method: call.method,
  });
  return {
    observer: (start) => {
      const labels = labelsOf(start);
      started.inc(labels);
      return (end) => {
        handled.inc({ ...labels, grpc_code: codeName(end.code) });
        handling.observe(labels, end.durationMs / 1000);
      };
    },
    countRefused(call) {
      const labels = labelsOf(call);
      started.inc(labels);
      handled.inc({ ...labels, grpc_code: "RESOURCE_EXHAUSTED" });
    },
  };
}
