import { Gauge, type Registry } from "prom-client";
import type { ConcurrencyLimiter } from "../load-shedding/concurrency-limiter.js";
import type { StreamAllowance } from "../load-shedding/stream-allowance.js";
import { createMirroredCounter } from "./mirrored-counter.js";

/**
 * The load shedding of a server as metrics, read from its limiter at each scrape:
 * grpc_server_in_flight, grpc_server_concurrency_limit, what the adaptive limit follows
 * (grpc_server_concurrency_window_rtt_seconds, _baseline_rtt_seconds, _gradient; adaptive mode
 * only), grpc_server_shed_total{limit="adaptive"|"ceiling"|"deadline"}, a counter, and the
 * HTTP/2 streams each connection may keep open (grpc_server_streams_per_connection).
 */
export function registerConcurrencyMetrics(
  registry: Registry,
  limiter: ConcurrencyLimiter,
  streamAllowance: StreamAllowance,
): void {
  const gauge = (name: string, help: string, read: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  gauge("grpc_server_in_flight", "RPCs being handled now, streams included.", () => limiter.inFlight());
  gauge(
    "grpc_server_concurrency_limit",
    "Unary RPCs let in at once now: the adaptive limit under the MAX_IN_FLIGHT ceiling, or the ceiling when fixed.",
    () => limiter.snapshot().limit,
  );
  gauge(
    "grpc_server_concurrency_ceiling",
    "Hard ceiling on RPCs in flight (MAX_IN_FLIGHT).",
    () => limiter.snapshot().ceiling,
  );
  if (limiter.snapshot().mode === "adaptive") {
    const seconds = (ms: number | null | undefined) => (ms == null ? undefined : ms / 1000);
    gauge(
      "grpc_server_concurrency_window_rtt_seconds",
      "Mean duration of the unary RPCs of the adaptive limit's last window.",
      () => seconds(limiter.snapshot().windowRttMs),
    );
    gauge(
      "grpc_server_concurrency_baseline_rtt_seconds",
      "Normal duration of a unary RPC, as the adaptive limit learned it from the windows that refused little.",
      () => seconds(limiter.snapshot().baselineRttMs),
    );
    gauge(
      "grpc_server_concurrency_gradient",
      "1.5 × baseline ÷ window RTT, 0.5..1: below 1, calls queue and the adaptive limit shrinks.",
      () => limiter.snapshot().gradient ?? undefined,
    );
  }
  gauge(
    "grpc_server_streams_per_connection",
    "HTTP/2 streams each connection may keep open now: 100, or its share of the limit while the server is flooded.",
    () => streamAllowance.current(),
  );
  createMirroredCounter({
    name: "grpc_server_shed_total",
    help: "RPCs refused with RESOURCE_EXHAUSTED at once, by the limit that refused them (adaptive or ceiling).",
    labelNames: ["limit"],
    registry,
    read: () => Object.entries(limiter.snapshot().shed).map(([limit, total]) => [{ limit }, total]),
  });
}
