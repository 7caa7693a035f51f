import { ConfigError, type EnvReader } from "../config/env-reader.js";
import type { Tracing, TracingSettings } from "../core/span-tracer.js";
import { redactUrl, type Logger } from "./logger.js";

/**
 * OpenTelemetry tracing, on when an OTLP endpoint is set. This module is the one place tracing
 * is set up, and it imports no OpenTelemetry package: the SDK (`otel-tracing.ts`) is imported
 * dynamically, and only when tracing is on, so a process without an endpoint loads none of it
 * and makes no span object (every instrumented place checks for a tracer first).
 */

export type { Tracing, TracingSettings } from "../core/span-tracer.js";

/** OTLP encodings this build can send (exporter-trace-otlp-http sends JSON). */
const otlpProtocols = ["http/json"] as const;

/** OTEL_TRACES_EXPORTER values this build knows: OTLP, or none (tracing off). */
const traceExporters = ["otlp", "none"] as const;

/**
 * Reads the standard OpenTelemetry variables that decide whether and where to export:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is) or OTEL_EXPORTER_OTLP_ENDPOINT (+ `/v1/traces`),
 * OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_EXPORTER (`otlp` or `none`) and
 * OTEL_SDK_DISABLED. Undefined: tracing is off.
 * The SDK itself reads the rest (OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_EXPORTER_OTLP_HEADERS, ...).
 */
export function tracingSettingsFromEnv(env: EnvReader, defaultServiceName: string): TracingSettings | undefined {
  const tracesEndpoint = endpointFrom(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const endpoint = endpointFrom(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  const serviceName = env.string("OTEL_SERVICE_NAME", defaultServiceName);
  env.oneOf("OTEL_EXPORTER_OTLP_PROTOCOL", otlpProtocols, "http/json");
  const exporter = env.oneOf("OTEL_TRACES_EXPORTER", traceExporters, "otlp");
  const disabled = env.bool("OTEL_SDK_DISABLED", false);
  if (disabled || exporter === "none") return undefined;
  if (tracesEndpoint !== undefined) return { serviceName, tracesUrl: tracesEndpoint };
  if (endpoint !== undefined) return { serviceName, tracesUrl: `${endpoint.replace(/\/+$/, "")}/v1/traces` };
  return undefined;
}

/**
 * Starts tracing when `settings` are given: loads the OpenTelemetry SDK (only now) and returns
 * its tracer. Undefined settings: undefined, and nothing is loaded.
 */
export async function startTracing(
  settings: TracingSettings | undefined,
  logger: Logger,
): Promise<Tracing | undefined> {
  if (settings === undefined) return undefined;
  const { startOtelTracing } = await import("./otel-tracing.js");
  const tracing = startOtelTracing(settings, logger);
  logger.info(
    { tracesUrl: redactUrl(settings.tracesUrl), serviceName: settings.serviceName },
    "exporting traces over OTLP/HTTP",
  );
  return tracing;
}

function endpointFrom(env: EnvReader, name: string): string | undefined {
  const value = env.optionalString(name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `"${value}" is not a URL (e.g. http://localhost:4318)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `"${value}" must be an http:// or https:// URL (OTLP over HTTP)`);
  }
  return value;
}
