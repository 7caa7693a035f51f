import { Registry } from "prom-client";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { LocationService } from "../../../gen/superheroes/location/v1/location_service_pb.js";
import { VillainService } from "../../../gen/superheroes/villain/v1/villain_service_pb.js";
import { createClientMetrics } from "../../platform/observability/client-metrics.js";
import type { Logger } from "../../platform/observability/logger.js";
import { createBreakerMetrics, createUpstreamClient, type UpstreamSettings } from "../../platform/calls/upstream-client.js";
import type { FightsConfig } from "../config.js";
import type { FighterKind } from "./fighter-source.js";
import type { Upstreams } from "./upstream-fighters.js";

/** The random reads: idempotent, so the channel may retry or hedge them. */
const idempotentReads: Record<FighterKind, readonly string[]> = {
  heroes: ["GetRandomHero", "GetRandomHeroes"],
  villains: ["GetRandomVillain", "GetRandomVillains"],
  locations: ["GetRandomLocation", "GetRandomLocations"],
};

/** Creates the three upstream channels, once, with their breakers and metrics in `registry`. */
export function createUpstreams(config: FightsConfig, logger: Logger, registry: Registry): Upstreams {
  const instruments = { logger, clientMetrics: createClientMetrics(registry), breakerMetrics: createBreakerMetrics(registry) };
  const settings = (kind: FighterKind): UpstreamSettings => ({
    name: kind,
    target: config.upstreams[kind].target,
    timeoutMs: config.upstreams[kind].timeoutMs,
    idempotentMethods: idempotentReads[kind],
    maxAttempts: config.maxAttempts,
    hedgeDelayMs: config.hedgeMs,
    slowCallMs: config.slowCallMs,
    breakerSlowCallMs: config.breakerSlowCallMs,
    breakerEnabled: config.breakerEnabled,
    breaker: config.breaker,
    tls: config.upstreamTls,
  });
  return {
    heroes: createUpstreamClient(HeroService, settings("heroes"), instruments),
    villains: createUpstreamClient(VillainService, settings("villains"), instruments),
    locations: createUpstreamClient(LocationService, settings("locations"), instruments),
  };
}
