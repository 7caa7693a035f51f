import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, createEnvReader } from "./env-reader.js";
import { isLoopback, serviceConfigFromEnv } from "./service-config.js";

const ports = { grpc: 50051, admin: 9401 };
const read = (env: Record<string, string>) => serviceConfigFromEnv(createEnvReader(env), "HEROES", ports);

describe("serviceConfigFromEnv", () => {
  it("has the documented defaults", () => {
    assert.deepEqual(read({}), {
      logLevel: "info",
      accessLog: "all",
      grpcHost: "0.0.0.0",
      grpcPort: 50051,
      adminHost: "127.0.0.1",
      adminPort: 9401,
      adminToken: undefined,
      envPrefix: "HEROES",
      maxInFlight: 2000,
      concurrencyLimit: { mode: "adaptive", minLimit: 10, initialLimit: 100 },
      maxMessageBytes: 4 * 1024 * 1024,
      shutdownGraceMs: 10_000,
      faultsEnabled: false,
      faults: { latencyMs: 0, jitterMs: 0, errorRate: 0, errorCode: "UNAVAILABLE" },
      tls: undefined,
      tracing: undefined,
      releaseClosedStreams: true,
    });
  });

  const refused: { env: Record<string, string>; variable: string; message: string }[] = [
    {
      env: { HEROES_GRPC_PORT: "abc" },
      variable: "HEROES_GRPC_PORT",
      message: 'HEROES_GRPC_PORT: "abc" is not an integer from 0 to 65535',
    },
    {
      env: { HEROES_ADMIN_HOST: "0.0.0.0" },
      variable: "HEROES_ADMIN_TOKEN",
      message: "HEROES_ADMIN_TOKEN: must be set when HEROES_ADMIN_HOST (0.0.0.0) is not a loopback address",
    },
    {
      env: { HEROES_MAX_IN_FLIGHT: "0" },
      variable: "HEROES_MAX_IN_FLIGHT",
      message: 'HEROES_MAX_IN_FLIGHT: "0" is not an integer from 1 to 1000000',
    },
    {
      env: { HEROES_CONCURRENCY_LIMIT: "gradient" },
      variable: "HEROES_CONCURRENCY_LIMIT",
      message: 'HEROES_CONCURRENCY_LIMIT: "gradient" is not one of adaptive, fixed',
    },
    {
      env: { HEROES_CONCURRENCY_MIN_LIMIT: "0" },
      variable: "HEROES_CONCURRENCY_MIN_LIMIT",
      message: 'HEROES_CONCURRENCY_MIN_LIMIT: "0" is not an integer from 1 to 1000000',
    },
    {
      env: { HEROES_CONCURRENCY_MIN_LIMIT: "40", HEROES_CONCURRENCY_INITIAL_LIMIT: "20" },
      variable: "HEROES_CONCURRENCY_INITIAL_LIMIT",
      message:
        "HEROES_CONCURRENCY_INITIAL_LIMIT: 20 is below HEROES_CONCURRENCY_MIN_LIMIT (40); the limit starts at or above its floor",
    },
    {
      env: { HEROES_CONCURRENCY_LIMIT: "fixed", HEROES_CONCURRENCY_INITIAL_LIMIT: "20" },
      variable: "HEROES_CONCURRENCY_LIMIT",
      message:
        "HEROES_CONCURRENCY_LIMIT: must be adaptive for HEROES_CONCURRENCY_MIN_LIMIT and HEROES_CONCURRENCY_INITIAL_LIMIT to apply",
    },
    {
      env: { LOG_LEVEL: "loud" },
      variable: "LOG_LEVEL",
      message: 'LOG_LEVEL: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
    },
    {
      env: { HEROES_FAULT_LATENCY_MS: "50" },
      variable: "HEROES_FAULTS_ENABLED",
      message: "HEROES_FAULTS_ENABLED: must be true for the HEROES_FAULT_* settings to apply",
    },
    {
      env: { HEROES_FAULTS_ENABLED: "true", HEROES_FAULT_ERROR_RATE: "1.5" },
      variable: "HEROES_FAULT_ERROR_RATE",
      message: 'HEROES_FAULT_ERROR_RATE: "1.5" is not a number from 0 to 1',
    },
    {
      env: { HEROES_FAULTS_ENABLED: "true", HEROES_FAULT_ERROR_CODE: "OK" },
      variable: "HEROES_FAULT_ERROR_CODE",
      message: 'HEROES_FAULT_ERROR_CODE: "OK" is not a gRPC status name other than OK (e.g. UNAVAILABLE)',
    },
  ];
  for (const { env, variable, message } of refused) {
    it(`refuses ${JSON.stringify(env)}, naming ${variable}`, () => {
      assert.throws(
        () => read(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.variable, variable);
          assert.equal(error.message, message);
          return true;
        },
      );
    });
  }

  it("accepts an admin host beyond loopback when a token is set", () => {
    const config = read({ HEROES_ADMIN_HOST: "0.0.0.0", HEROES_ADMIN_TOKEN: "s3cret" });
    assert.deepEqual({ host: config.adminHost, token: config.adminToken }, { host: "0.0.0.0", token: "s3cret" });
  });

  it("reads enabled faults", () => {
    const config = read({
      HEROES_FAULTS_ENABLED: "1",
      HEROES_FAULT_LATENCY_MS: "50",
      HEROES_FAULT_JITTER_MS: "10",
      HEROES_FAULT_ERROR_RATE: "0.25",
      HEROES_FAULT_ERROR_CODE: "ABORTED",
    });
    assert.deepEqual(
      { enabled: config.faultsEnabled, faults: config.faults },
      { enabled: true, faults: { latencyMs: 50, jitterMs: 10, errorRate: 0.25, errorCode: "ABORTED" } },
    );
  });
});

describe("isLoopback", () => {
  const cases: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.5", false],
  ];
  for (const [host, expected] of cases) {
    it(`${host} → ${expected}`, () => assert.equal(isLoopback(host), expected));
  }
});
