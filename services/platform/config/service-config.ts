import { ConfigError, type EnvReader } from "./env-reader.js";
import { faultSettingsFromEnv, type FaultSettings } from "../faults/faults.js";
import { accessLogModes, type AccessLogMode } from "../observability/access-log.js";
import { logLevels, type LogLevel } from "../observability/logger.js";
import { serverTlsFromEnv, type ServerTls } from "./tls-config.js";
import { concurrencyLimitModes, type ConcurrencyLimitSettings } from "../load-shedding/concurrency-limiter.js";
import { tracingSettingsFromEnv, type TracingSettings } from "../observability/tracing.js";

/** Settings every service process has, read from `<PREFIX>_*` variables. */
export interface ServiceConfig {
  logLevel: LogLevel;
  /** Which calls get an access log line: all (default), errors only, or none (benchmarks). */
  accessLog: AccessLogMode;
  grpcHost: string;
  grpcPort: number;
  adminHost: string;
  adminPort: number;
  /** Bearer token for the admin routes; required when `adminHost` is not loopback. */
  adminToken: string | undefined;
  /** Prefix of the service's variables (`HEROES`), for messages that say what to set. */
  envPrefix: string;
  /** Hard ceiling on calls handled at once (streams included) before RESOURCE_EXHAUSTED. */
  maxInFlight: number;
  /** The limit on unary calls under that ceiling: adaptive (follows latency) or fixed (the ceiling). */
  concurrencyLimit: ConcurrencyLimitSettings;
  /** Largest request/response message, bytes. */
  maxMessageBytes: number;
  /** How long in-flight calls get to finish on SIGTERM/SIGINT, ms. */
  shutdownGraceMs: number;
  /** Whether faults may be injected (env values and the admin `/faults` route). */
  faultsEnabled: boolean;
  faults: FaultSettings;
  /** gRPC listener TLS (`<PREFIX>_TLS_CERT_FILE`/`_KEY_FILE`, `_TLS_CLIENT_CA_FILE` for mutual TLS); undefined: plaintext. */
  tls: ServerTls | undefined;
  /** OpenTelemetry export (the standard `OTEL_*` variables); undefined: tracing off, no SDK loaded. */
  tracing: TracingSettings | undefined;
  /**
   * Whether closed HTTP/2 streams drop their listeners (platform/grpc/closed-streams.ts), so a
   * finished call's objects die young instead of being promoted; process-wide.
   */
  releaseClosedStreams: boolean;
}

/** Default ports of one service (services/service-list.ts). */
export interface ServicePorts {
  grpc: number;
  admin: number;
}

/**
 * Reads the common settings of service `prefix` (e.g. HEROES): `HEROES_GRPC_PORT`,
 * `HEROES_ADMIN_PORT`, `HEROES_MAX_IN_FLIGHT`, `HEROES_TLS_*`, ... and the shared `LOG_LEVEL`.
 */
export function serviceConfigFromEnv(env: EnvReader, prefix: string, ports: ServicePorts): ServiceConfig {
  const adminHost = env.host(`${prefix}_ADMIN_HOST`, "127.0.0.1");
  const adminToken = env.optionalString(`${prefix}_ADMIN_TOKEN`);
  if (!isLoopback(adminHost) && adminToken === undefined) {
    throw new ConfigError(
      `${prefix}_ADMIN_TOKEN`,
      `must be set when ${prefix}_ADMIN_HOST (${adminHost}) is not a loopback address`,
    );
  }
  const faultsEnabled = env.bool(`${prefix}_FAULTS_ENABLED`, false);
  const faults = faultSettingsFromEnv(env, prefix);
  if (!faultsEnabled && (faults.latencyMs > 0 || faults.jitterMs > 0 || faults.errorRate > 0)) {
    throw new ConfigError(`${prefix}_FAULTS_ENABLED`, `must be true for the ${prefix}_FAULT_* settings to apply`);
  }
  return {
    logLevel: env.oneOf("LOG_LEVEL", logLevels, "info"),
    accessLog: env.oneOf("ACCESS_LOG", accessLogModes, "all"),
    grpcHost: env.host(`${prefix}_GRPC_HOST`, "0.0.0.0"),
    grpcPort: env.port(`${prefix}_GRPC_PORT`, ports.grpc),
    adminHost,
    adminPort: env.port(`${prefix}_ADMIN_PORT`, ports.admin),
    adminToken,
    envPrefix: prefix,
    maxInFlight: env.int(`${prefix}_MAX_IN_FLIGHT`, 2000, { min: 1, max: 1_000_000 }),
    concurrencyLimit: concurrencyLimitFromEnv(env, prefix),
    maxMessageBytes: env.int(`${prefix}_MAX_MESSAGE_BYTES`, 4 * 1024 * 1024, { min: 1024, max: 256 * 1024 * 1024 }),
    shutdownGraceMs: env.int(`${prefix}_SHUTDOWN_GRACE_MS`, 10_000, { min: 0, max: 300_000 }),
    faultsEnabled,
    faults,
    tls: serverTlsFromEnv(env, prefix),
    tracing: tracingSettingsFromEnv(env, prefix.toLowerCase()),
    releaseClosedStreams: env.bool(`${prefix}_RELEASE_CLOSED_STREAMS`, true),
  };
}

/**
 * `<PREFIX>_CONCURRENCY_LIMIT` (adaptive by default) and, for the adaptive limit, its floor and
 * starting point. The floor keeps a service useful however slow its calls get; the start is what
 * a flood meets before the limit has measured anything. Both sit under `_MAX_IN_FLIGHT`, which
 * wins when lower.
 */
function concurrencyLimitFromEnv(env: EnvReader, prefix: string): ConcurrencyLimitSettings {
  const mode = env.oneOf(`${prefix}_CONCURRENCY_LIMIT`, concurrencyLimitModes, "adaptive");
  const minName = `${prefix}_CONCURRENCY_MIN_LIMIT`;
  const initialName = `${prefix}_CONCURRENCY_INITIAL_LIMIT`;
  const minLimit = env.int(minName, 10, { min: 1, max: 1_000_000 });
  const initialLimit = env.int(initialName, 100, { min: 1, max: 1_000_000 });
  if (mode === "fixed" && (env.optionalString(minName) ?? env.optionalString(initialName)) !== undefined) {
    throw new ConfigError(`${prefix}_CONCURRENCY_LIMIT`, `must be adaptive for ${minName} and ${initialName} to apply`);
  }
  if (initialLimit < minLimit) {
    throw new ConfigError(
      initialName,
      `${initialLimit} is below ${minName} (${minLimit}); the limit starts at or above its floor`,
    );
  }
  return { mode, minLimit, initialLimit };
}

/** Whether a bind address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
