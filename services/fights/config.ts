import { isIP } from "node:net";
import { join } from "node:path";
import { ConfigError, type EnvReader } from "../platform/config/env-reader.js";
import { projectRoot } from "../platform/config/project-root.js";
import type { CircuitBreakerOptions } from "../platform/calls/circuit-breaker.js";
import { serviceConfigFromEnv, type ServiceConfig, type ServicePorts } from "../platform/config/service-config.js";
import { type ClientTls, keyPairFromEnv, type KeyPair, clientTlsFromEnv } from "../platform/config/tls-config.js";
import type { FighterKind } from "./fighters/fighter-source.js";

/** How upstream picks are issued: concurrently (default), or one after another (benchmark only). */
export type UpstreamMode = "concurrent" | "sequential";

export const fighterSourceModes = ["direct", "coalesce", "pool"] as const;
/** How random fighters are fetched: a call per pick, calls coalesced per event-loop turn, or a pool. */
export type FighterSourceMode = (typeof fighterSourceModes)[number];

/** Where and how to call one upstream. */
export interface UpstreamConfig {
  /** grpc-js target, e.g. 127.0.0.1:50051, ipv4:127.0.0.1:50051,127.0.0.1:60051, dns:///heroes:50051. */
  target: string;
  /** Cap on each call's deadline, ms. */
  timeoutMs: number;
}

/** Settings of the fights service (FIGHTS_* variables). */
export interface FightsConfig extends ServiceConfig {
  databaseUrl: string | undefined;
  dataDir: string | undefined;
  dbPoolSize: number;
  upstreams: Record<FighterKind, UpstreamConfig>;
  /** TLS to the data services (`FIGHTS_UPSTREAM_TLS_CA_FILE`, `_CERT_FILE`/`_KEY_FILE` for mutual TLS); undefined: plaintext. */
  upstreamTls: ClientTls | undefined;
  /** Bearer token fights sends to the data services' FaultService (`FIGHTS_UPSTREAM_ADMIN_TOKEN`): their `_ADMIN_TOKEN`. */
  upstreamAdminToken: string | undefined;
  upstreamMode: UpstreamMode;
  /** Attempts per idempotent upstream read, including the first (channel retry policy). */
  maxAttempts: number;
  /** > 0: hedge idempotent reads after this many ms instead of retrying. */
  hedgeMs: number;
  /** Upstream calls slower than this are logged at warn. */
  slowCallMs: number;
  /** Ceiling of the breaker's slow-call threshold, which otherwise follows each upstream's p99. */
  breakerSlowCallMs: number;
  /** Floor of the breaker's slow-call threshold. */
  breakerSlowCallFloorMs: number;
  breakerEnabled: boolean;
  breaker: Required<
    Pick<
      CircuitBreakerOptions,
      "windowMs" | "failureRate" | "minimumCalls" | "openMs" | "maxOpenMs" | "halfOpenProbes" | "successThreshold"
    >
  >;
  fighterSource: FighterSourceMode;
  coalesceMaxWaitMs: number;
  poolSize: number;
  poolTtlMs: number;
  /** Fights a WatchFights reader may fall behind before it is dropped. */
  watchMaxQueued: number;
  /** Most fights in one insert. */
  writeMaxBatch: number;
  webHost: string;
  /** HTTP/1.1 port of the page and the Connect/gRPC-Web edge. */
  webPort: number;
  /** Origins allowed to call the web edge from other pages (CORS); empty: only the page served here. */
  webOrigins: readonly string[];
  /** Folder of the built page. */
  webStaticDir: string;
  /** HTTPS for the web port: `FIGHTS_WEB_TLS_CERT_FILE`/`_KEY_FILE`, else the gRPC key pair (`FIGHTS_TLS_*`); undefined: HTTP. */
  webTls: KeyPair | undefined;
}

/** Defaults that come from the list of services (services/service-list.ts). */
export interface FightsDefaults {
  ports: ServicePorts & { web: number };
  /** Where each data service listens by default. */
  upstreamTargets: Record<FighterKind, string>;
}

/** Reads the fights configuration; throws ConfigError naming the first bad variable. */
export function fightsConfigFromEnv(env: EnvReader, defaults: FightsDefaults): FightsConfig {
  const upstream = (kind: FighterKind, prefix: string): UpstreamConfig => ({
    target: target(env, `FIGHTS_${prefix}_TARGET`, defaults.upstreamTargets[kind]),
    timeoutMs: env.int(`FIGHTS_${prefix}_TIMEOUT_MS`, 1000, { min: 1, max: 60_000 }),
  });
  const common = serviceConfigFromEnv(env, "FIGHTS", defaults.ports);
  const upstreamTls = clientTlsFromEnv(env, "FIGHTS_UPSTREAM_TLS");
  const upstreams = {
    heroes: upstream("heroes", "HEROES"),
    villains: upstream("villains", "VILLAINS"),
    locations: upstream("locations", "LOCATIONS"),
  };
  if (upstreamTls !== undefined) {
    for (const [kind, { target }] of Object.entries(upstreams)) {
      if (targetHasIpAddress(target)) {
        throw new ConfigError(
          `FIGHTS_${kind.toUpperCase()}_TARGET`,
          `"${target}" is an IP address: with TLS to the data services (FIGHTS_UPSTREAM_TLS_CA_FILE) the target must be a DNS name the server's certificate holds, e.g. dns:///${kind}:50051 (Node refuses an IP address as TLS server name)`,
        );
      }
    }
  }
  return {
    ...common,
    databaseUrl: env.optionalString("FIGHTS_DATABASE_URL"),
    dataDir: env.optionalString("FIGHTS_DATA_DIR"),
    dbPoolSize: env.int("FIGHTS_DB_POOL_SIZE", 10, { min: 1, max: 100 }),
    upstreams,
    upstreamTls,
    upstreamAdminToken: env.optionalString("FIGHTS_UPSTREAM_ADMIN_TOKEN"),
    upstreamMode: env.oneOf("FIGHTS_UPSTREAM_MODE", ["concurrent", "sequential"] as const, "concurrent"),
    maxAttempts: env.int("FIGHTS_UPSTREAM_MAX_ATTEMPTS", 3, { min: 1, max: 5 }),
    hedgeMs: env.int("FIGHTS_HEDGE_MS", 0, { min: 0, max: 10_000 }),
    slowCallMs: env.int("FIGHTS_SLOW_CALL_MS", 100, { min: 1, max: 60_000 }),
    breakerSlowCallMs: env.int("FIGHTS_BREAKER_SLOW_CALL_MS", 1000, { min: 1, max: 60_000 }),
    breakerSlowCallFloorMs: env.int("FIGHTS_BREAKER_SLOW_CALL_FLOOR_MS", 50, { min: 1, max: 60_000 }),
    breakerEnabled: env.bool("FIGHTS_BREAKER_ENABLED", true),
    breaker: {
      windowMs: env.int("FIGHTS_BREAKER_WINDOW_MS", 10_000, { min: 100, max: 600_000 }),
      failureRate: env.int("FIGHTS_BREAKER_FAILURE_RATE", 50, { min: 1, max: 200 }) / 100,
      minimumCalls: env.int("FIGHTS_BREAKER_MIN_CALLS", 20, { min: 1, max: 10_000 }),
      openMs: env.int("FIGHTS_BREAKER_OPEN_MS", 2_000, { min: 10, max: 600_000 }),
      maxOpenMs: env.int("FIGHTS_BREAKER_MAX_OPEN_MS", 30_000, { min: 10, max: 3_600_000 }),
      halfOpenProbes: env.int("FIGHTS_BREAKER_HALF_OPEN_PROBES", 2, { min: 1, max: 100 }),
      successThreshold: env.int("FIGHTS_BREAKER_SUCCESS_THRESHOLD", 2, { min: 1, max: 100 }),
    },
    fighterSource: env.oneOf("FIGHTS_FIGHTER_SOURCE", fighterSourceModes, "coalesce"),
    coalesceMaxWaitMs: env.int("FIGHTS_COALESCE_MAX_WAIT_MS", 0, { min: 0, max: 1_000 }),
    poolSize: env.int("FIGHTS_POOL_SIZE", 500, { min: 1, max: 100_000 }),
    poolTtlMs: env.int("FIGHTS_POOL_TTL_MS", 10_000, { min: 1, max: 3_600_000 }),
    watchMaxQueued: env.int("FIGHTS_WATCH_MAX_QUEUED", 256, { min: 1, max: 100_000 }),
    writeMaxBatch: env.int("FIGHTS_WRITE_MAX_BATCH", 500, { min: 1, max: 2_000 }),
    webHost: env.host("FIGHTS_WEB_HOST", "0.0.0.0"),
    webPort: env.port("FIGHTS_WEB_PORT", defaults.ports.web),
    webOrigins: origins(env, "FIGHTS_WEB_ORIGINS"),
    webStaticDir: env.string("FIGHTS_WEB_STATIC_DIR", join(projectRoot, "services", "web", "dist")),
    webTls:
      keyPairFromEnv(env, "FIGHTS_WEB_TLS") ??
      (common.tls === undefined ? undefined : { cert: common.tls.cert, key: common.tls.key }),
  };
}

function origins(env: EnvReader, name: string): string[] {
  const list = env
    .string(name, "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  for (const origin of list) {
    if (origin !== "*" && !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      throw new ConfigError(
        name,
        `"${origin}" is not an origin like http://localhost:5173 (comma-separated list, or *)`,
      );
    }
  }
  return list;
}

function target(env: EnvReader, name: string, fallback: string): string {
  const value = env.string(name, fallback);
  if (!/^(dns:|ipv4:|ipv6:|unix:)?[A-Za-z0-9._\-:/[\],]+$/.test(value)) {
    throw new ConfigError(name, `"${value}" is not a gRPC target (host:port, ipv4:a:1,b:2 or dns:///name:port)`);
  }
  return value;
}

/**
 * Whether a gRPC target names its server by IP address (`10.0.0.5:50051`, `ipv4:a:1,b:2`,
 * `dns:///[::1]:50051`). grpc-js sends a TLS target's host as the TLS server name, which Node 26
 * refuses for an IP address (RFC 6066 allows only DNS names): such a target cannot use TLS.
 */
export function targetHasIpAddress(target: string): boolean {
  if (/^ipv[46]:/.test(target)) return true;
  if (target.startsWith("unix:")) return false;
  const authority = target.replace(/^dns:(\/\/[^/]*\/)?/, "");
  const host = authority.startsWith("[") ? authority.slice(1, authority.indexOf("]")) : authority.replace(/:\d+$/, "");
  return isIP(host) !== 0;
}
