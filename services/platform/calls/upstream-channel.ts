import type { ChannelOptions } from "@grpc/grpc-js";

/** Options of `upstreamChannelOptions`. */
export interface UpstreamChannelSettings {
  /** Fully qualified service name, e.g. superheroes.hero.v1.HeroService. */
  serviceName: string;
  /** Methods (proto names) that are safe to retry or hedge: idempotent reads. */
  idempotentMethods: readonly string[];
  /** Attempts per call including the first, 1..5 (1 = no retries). */
  maxAttempts: number;
  /** When > 0, hedge the idempotent methods: a second attempt after this many ms, instead of retrying. */
  hedgeDelayMs: number;
}

/**
 * grpc-js channel options for a long-lived upstream channel. The service config turns on
 * round_robin over every address the target resolves to (`ipv4:a:1,b:2`, `dns:///heroes:50051`
 * with a headless Kubernetes Service), outlier detection to eject an address that keeps
 * failing, and retries (or hedging) of idempotent reads with retry throttling.
 */
export function upstreamChannelOptions(settings: UpstreamChannelSettings): ChannelOptions {
  return {
    "grpc.service_config": JSON.stringify(serviceConfig(settings)),
    // Ping every 30 s so a dead peer is noticed before the next call times out; the grpc-js
    // and most servers accept pings at this rate.
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    // Reconnect quickly after a restart of the upstream (default initial backoff is 1 s), and keep
    // trying every ~0.5 s while it is down: an open breaker's health checks ride this channel, so
    // the reconnect backoff bounds how soon a restarted upstream is seen SERVING. A refused
    // connection attempt costs next to nothing.
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 500,
    // Keep the channel connected while idle: the first call after a quiet spell stays fast.
    "grpc.client_idle_timeout_ms": 24 * 60 * 60 * 1000,
    // Re-resolve DNS at most every 5 s, so new pods behind a headless Service are picked up fast.
    "grpc.dns_min_time_between_resolutions_ms": 5_000,
  };
}

function serviceConfig(settings: UpstreamChannelSettings) {
  const name = settings.idempotentMethods.map((method) => ({ service: settings.serviceName, method }));
  const methodConfig =
    settings.hedgeDelayMs > 0
      ? [
          {
            name,
            hedgingPolicy: {
              maxAttempts: Math.max(2, settings.maxAttempts),
              hedgingDelay: seconds(settings.hedgeDelayMs),
              nonFatalStatusCodes: ["UNAVAILABLE"],
            },
          },
        ]
      : settings.maxAttempts > 1
        ? [
            {
              name,
              retryPolicy: {
                maxAttempts: settings.maxAttempts,
                initialBackoff: "0.02s",
                maxBackoff: "0.2s",
                backoffMultiplier: 2,
                retryableStatusCodes: ["UNAVAILABLE"],
              },
            },
          ]
        : [];
  return {
    loadBalancingConfig: [
      {
        outlier_detection: {
          // grpc-js wants Duration objects here, not the "5s" strings the JSON mapping allows.
          interval: { seconds: 5, nanos: 0 },
          base_ejection_time: { seconds: 10, nanos: 0 },
          max_ejection_time: { seconds: 60, nanos: 0 },
          max_ejection_percent: 50,
          failure_percentage_ejection: {
            threshold: 50,
            enforcement_percentage: 100,
            minimum_hosts: 2,
            request_volume: 10,
          },
          child_policy: [{ round_robin: {} }],
        },
      },
    ],
    methodConfig,
    // Each failure costs a token, each success earns 0.1; below half the tokens retries stop,
    // so a dead upstream is not hammered with three attempts per call. 100 tokens let a burst
    // of calls that were in flight on a killed instance (one per concurrent caller) all retry
    // on the healthy ones: with 10, the sixth simultaneous failure already stopped retries.
    // grpc-js (1.14) asks the throttle when the backoff timer fires, not at the failure: a call
    // that will not be retried still waits one backoff (~20 ms) before it fails. The breaker,
    // once open, is what makes a dead upstream cost nothing.
    retryThrottling: { maxTokens: 100, tokenRatio: 0.1 },
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}
