import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { startFightsSystem, type FightsSystem } from "../../../testkit/systems/fights-system.js";
import { startOtlpReceiver } from "../../../testkit/otlp-receiver.js";
import { waitFor } from "../../../testkit/wait-for.js";
import { createLogger } from "./logger.js";
import { ConfigError, createEnvReader } from "../config/env-reader.js";
import { startTracing, tracingSettingsFromEnv } from "./tracing.js";

const require = createRequire(import.meta.url);

/**
 * OpenTelemetry packages this process has loaded (they are CommonJS: in the require cache),
 * except `@opentelemetry/api`, which prom-client loads whatever we do (process_cpu metrics with
 * exemplars) and which does nothing until an SDK registers behind it.
 */
function loadedOtelPackages(): string[] {
  const names = Object.keys(require.cache)
    .map((path) => /node_modules\/(@opentelemetry\/[^/]+)\//.exec(path)?.[1])
    .filter((name): name is string => name !== undefined && name !== "@opentelemetry/api");
  return [...new Set(names)].sort();
}

describe("tracing settings from the standard OTEL_* variables", () => {
  const settings = (env: Record<string, string>) => tracingSettingsFromEnv(createEnvReader(env), "heroes");
  it("is off without an endpoint", () => assert.equal(settings({}), undefined));
  it("sends to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces under the service's name", () =>
    assert.deepEqual(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318/" }), {
      serviceName: "heroes",
      tracesUrl: "http://jaeger:4318/v1/traces",
    }));
  it("uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, before the base endpoint, and OTEL_SERVICE_NAME", () =>
    assert.deepEqual(
      settings({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://tempo:4318/otlp/v1/traces",
        OTEL_SERVICE_NAME: "heroes-eu",
      }),
      { serviceName: "heroes-eu", tracesUrl: "http://tempo:4318/otlp/v1/traces" },
    ));
  it("is off with OTEL_SDK_DISABLED=true even with an endpoint", () =>
    assert.equal(
      settings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318", OTEL_SDK_DISABLED: "true" }),
      undefined,
    ));
  it("is off with OTEL_TRACES_EXPORTER=none even with an endpoint", () =>
    assert.equal(
      settings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318", OTEL_TRACES_EXPORTER: "none" }),
      undefined,
    ));
  for (const [env, message] of [
    [{ OTEL_TRACES_EXPORTER: "zipkin" }, 'OTEL_TRACES_EXPORTER: "zipkin" is not one of otlp, none'],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "jaeger:4318" },
      'OTEL_EXPORTER_OTLP_ENDPOINT: "jaeger:4318" must be an http:// or https:// URL (OTLP over HTTP)',
    ],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "not a url" },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "not a url" is not a URL (e.g. http://localhost:4318)',
    ],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, 'OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not one of http/json'],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with a message naming the variable`, () =>
      assert.throws(
        () => settings(env),
        (error: unknown) => error instanceof ConfigError && error.message === message,
      ));
  }
});

// One process: the first test must run before anything here loads the SDK (the second does).
describe("tracing off costs nothing: no OpenTelemetry module is loaded", { timeout: 120_000 }, () => {
  const databases: ThrowawayDatabase[] = [];
  let system: FightsSystem;
  before(async () => {
    databases.push(...(await Promise.all([0, 1, 2, 3].map(() => createThrowawayDatabase({ prefix: "otel_off" })))));
    const [heroes, villains, locations, fights] = databases.map((database) => database.url);
    system = await startFightsSystem({
      heroes: { HEROES_DATABASE_URL: heroes! },
      villains: { VILLAINS_DATABASE_URL: villains! },
      locations: { LOCATIONS_DATABASE_URL: locations! },
      fights: { FIGHTS_DATABASE_URL: fights! },
    });
  });
  after(async () => {
    await system?.stop();
    await Promise.all(databases.map((database) => database.drop()));
  });

  it("runs the four services and a fight without an endpoint and loads no OpenTelemetry SDK package", async () => {
    const fight = await system.client.methods.performRandomFight({}, { deadline: Date.now() + 10_000 });
    assert.ok(fight.fight?.id !== undefined && fight.fight.id > 0n);
    assert.deepEqual(loadedOtelPackages(), []);
  });

  it("loads the SDK once an endpoint is set, and exports through it (the check above can see it)", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const tracing = await startTracing(
        { serviceName: "probe", tracesUrl: `${receiver.url}/v1/traces` },
        createLogger("probe", "warn"),
      );
      assert.ok(tracing !== undefined);
      assert.ok(loadedOtelPackages().includes("@opentelemetry/sdk-trace-base"), loadedOtelPackages().join(", "));
      tracing.tracer.startSpan("probe span", undefined).end();
      await tracing.shutdown();
      await waitFor("the probe span at the receiver", () =>
        receiver.spans().some((span) => span.name === "probe span"),
      );
      assert.equal(receiver.spans()[0]?.serviceName, "probe");
    } finally {
      await receiver.close();
    }
  });
});
