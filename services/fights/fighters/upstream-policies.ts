import type { SpanTracer } from "../../platform/core/span-tracer.js";
import type { Registry } from "prom-client";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { LocationService } from "../../../gen/superheroes/location/v1/location_service_pb.js";
import { VillainService } from "../../../gen/superheroes/villain/v1/villain_service_pb.js";
import type { CircuitBreakerOptions } from "../../platform/calls/circuit-breaker.js";
import { createBreakerMetrics, createUpstreamClient } from "../../platform/calls/upstream-client.js";
import { createClientMetrics, type UpstreamCallRecord } from "../../platform/observability/client-metrics.js";
import type { Logger } from "../../platform/observability/logger.js";
import type { FightsConfig } from "../config.js";
import type { Fighter, Place } from "../fight.js";
import type { FighterKind } from "./fighter-source.js";
import type { Upstreams } from "./upstream-fighters.js";

/**
 * How fights calls each data service, whole, in one place: the deadline cap, retries or hedging
 * of the idempotent reads, the circuit breaker, and the fallback a fight gets when the upstream
 * cannot answer. Everything else (channels, interceptors, the fighter supply) follows from this.
 */
export interface UpstreamPolicy<F> {
  /** grpc-js target (`FIGHTS_<X>_TARGET`). */
  target: string;
  /** Cap on each call's deadline: min(caller's deadline, now + timeoutMs) (`FIGHTS_<X>_TIMEOUT_MS`). */
  timeoutMs: number;
  /** The reads the channel may retry or hedge: they change nothing, so a second attempt is safe. */
  idempotentReads: readonly string[];
  /** Attempts per read, the first included (`FIGHTS_UPSTREAM_MAX_ATTEMPTS`), by the channel's retry policy. */
  maxAttempts: number;
  /** > 0: hedge instead of retrying, a new attempt every this many ms (`FIGHTS_HEDGE_MS`). */
  hedgeDelayMs: number;
  /** The breaker in front of the channel (`FIGHTS_BREAKER_*`); undefined: every call goes out. */
  breaker: BreakerPolicy | undefined;
  /** Upstream calls slower than this get a warn log line (`FIGHTS_SLOW_CALL_MS`). */
  slowCallMs: number;
  /** What a fight uses when the call fails, times out, is refused by the breaker or finds no rows. */
  fallback: F;
}

/**
 * When an upstream's breaker opens and closes. It judges the upstream, never the caller: a call
 * that ends because its caller went away or because the caller's own, shorter deadline passed
 * counts neither way (`platform/calls/breaker-interceptor.ts`). It trips on a weighted failure
 * rate over a minimum volume, counts a success as slow past `slowCallFactor` × the upstream's
 * rolling p99 (between a floor and `FIGHTS_BREAKER_SLOW_CALL_MS`), and while open asks the
 * upstream's grpc.health.v1 every `healthIntervalMs`, going half-open as soon as it is SERVING again.
 */
export interface BreakerPolicy extends CircuitBreakerOptions {
  slowCallFactor: number;
  slowCallFloorMs: number;
  slowCallCeilingMs: number;
  healthIntervalMs: number;
}

/** A slow success is one slower than 3 × the upstream's rolling p99 (resilience4j and Polly use fixed thresholds; this one follows the upstream). */
const slowCallFactor = 3;
/** Health checks of an open breaker's upstream: real answers are back within this of it being SERVING. */
const healthIntervalMs = 200;

/** The hero of a fight whose heroes call failed (the reference system's fallback). */
export const fallbackHero: Readonly<Fighter> = Object.freeze({
  name: "Fallback hero",
  otherName: "Fallback hero",
  level: 1,
  picture: "/pictures/fallback-hero.svg",
  powers: "Fallback hero powers",
});

/** The villain of a fight whose villains call failed. */
export const fallbackVillain: Readonly<Fighter> = Object.freeze({
  name: "Fallback villain",
  otherName: "Fallback villain",
  level: 45,
  picture: "/pictures/fallback-villain.svg",
  powers: "Fallback villain powers",
});

/** The location of a fight whose locations call failed. */
export const fallbackLocation: Readonly<Place> = Object.freeze({
  name: "Fallback location",
  description: "Fallback location: the locations service could not answer",
  picture: "/pictures/fallback-location.svg",
  type: "PLACE",
});

/** The policy of each upstream, from the fights configuration. */
export function upstreamPolicies(config: FightsConfig): {
  heroes: UpstreamPolicy<Fighter>;
  villains: UpstreamPolicy<Fighter>;
  locations: UpstreamPolicy<Place>;
} {
  const common = (kind: FighterKind) => ({
    target: config.upstreams[kind].target,
    timeoutMs: config.upstreams[kind].timeoutMs,
    maxAttempts: config.maxAttempts,
    hedgeDelayMs: config.hedgeMs,
    breaker: config.breakerEnabled
      ? {
          ...config.breaker,
          slowCallFactor,
          slowCallFloorMs: config.breakerSlowCallFloorMs,
          slowCallCeilingMs: config.breakerSlowCallMs,
          healthIntervalMs,
        }
      : undefined,
    slowCallMs: config.slowCallMs,
  });
  return {
    heroes: { ...common("heroes"), idempotentReads: ["GetRandomHero", "GetRandomHeroes"], fallback: fallbackHero },
    villains: {
      ...common("villains"),
      idempotentReads: ["GetRandomVillain", "GetRandomVillains"],
      fallback: fallbackVillain,
    },
    locations: {
      ...common("locations"),
      idempotentReads: ["GetRandomLocation", "GetRandomLocations"],
      fallback: fallbackLocation,
    },
  };
}

/**
 * Creates the three upstream channels, once, by their policies, with metrics in `registry`; with
 * `tracer`, a client span per call; `onCall` is told of every finished call (the live charts).
 */
export function createUpstreams(
  config: FightsConfig,
  logger: Logger,
  registry: Registry,
  hooks: { tracer?: SpanTracer; onCall?: (record: UpstreamCallRecord) => void } = {},
): Upstreams {
  const policies = upstreamPolicies(config);
  const instruments = {
    logger,
    clientMetrics: createClientMetrics(registry),
    breakerMetrics: createBreakerMetrics(registry),
    ...(hooks.tracer === undefined ? {} : { tracer: hooks.tracer }),
    ...(hooks.onCall === undefined ? {} : { onCall: hooks.onCall }),
  };
  const settings = (name: FighterKind, policy: UpstreamPolicy<unknown>) => ({
    name,
    target: policy.target,
    timeoutMs: policy.timeoutMs,
    idempotentMethods: policy.idempotentReads,
    maxAttempts: policy.maxAttempts,
    hedgeDelayMs: policy.hedgeDelayMs,
    slowCallMs: policy.slowCallMs,
    breakerEnabled: policy.breaker !== undefined,
    breakerSlowCall: {
      factor: policy.breaker?.slowCallFactor ?? slowCallFactor,
      floorMs: policy.breaker?.slowCallFloorMs ?? 0,
      ceilingMs: policy.breaker?.slowCallCeilingMs ?? Infinity,
    },
    breakerHealthIntervalMs: policy.breaker?.healthIntervalMs ?? healthIntervalMs,
    breaker: policy.breaker ?? {},
    tls: config.upstreamTls,
  });
  return {
    heroes: createUpstreamClient(HeroService, settings("heroes", policies.heroes), instruments),
    villains: createUpstreamClient(VillainService, settings("villains", policies.villains), instruments),
    locations: createUpstreamClient(LocationService, settings("locations", policies.locations), instruments),
  };
}
