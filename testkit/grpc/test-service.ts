import type { Client } from "@grpc/grpc-js";
import { Registry } from "prom-client";
import { file_superheroes_hero_v1_hero_service, HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import { noFaults } from "../../services/platform/faults/faults.js";
import { registration } from "../../services/platform/server/grpc-server.js";
import type { ServiceConfig } from "../../services/platform/config/service-config.js";
import { startServiceProcess, type RunningService } from "../../services/platform/server/service-process.js";
import { createCapturedLogger, type LogLine } from "../captured-logger.js";
import { createTestClient } from "./grpc-test-client.js";
import { createInMemoryHeroes, type InMemoryHeroesOptions } from "./in-memory-heroes.js";

/** Options of `startTestService`. */
export interface TestServiceOptions extends InMemoryHeroesOptions {
  /** Overrides of `testServiceConfig`. */
  config?: Partial<ServiceConfig>;
  /** Readiness check; default: always ready. */
  readiness?: () => Promise<boolean>;
  /** Default 20 ms, so health transitions show quickly. */
  readinessIntervalMs?: number;
}

/** A running in-memory HeroService process and a client of it. */
export interface TestService {
  service: RunningService;
  client: Client;
  registry: Registry;
  logLines(): LogLine[];
  /** Closes the client and stops the service (drain, admin, resources). */
  close(): Promise<void>;
}

/** Loopback, ephemeral ports, faults off: the config every platform test starts from. */
export const testServiceConfig: Readonly<ServiceConfig> = Object.freeze({
  logLevel: "info",
  accessLog: "all",
  grpcHost: "127.0.0.1",
  grpcPort: 0,
  adminHost: "127.0.0.1",
  adminPort: 0,
  adminToken: undefined,
  envPrefix: "TEST",
  maxInFlight: 100,
  // The services' default: adaptive under the ceiling.
  concurrencyLimit: Object.freeze({ mode: "adaptive", minLimit: 10, initialLimit: 100 }),
  maxMessageBytes: 4 * 1024 * 1024,
  shutdownGraceMs: 5000,
  faultsEnabled: false,
  faults: noFaults,
  tls: undefined,
  tracing: undefined,
  releaseClosedStreams: true,
});

/** Starts the in-memory HeroService through `startServiceProcess`, as a real service does. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const { logger, lines } = createCapturedLogger("heroes-test");
  const registry = new Registry();
  const service = await startServiceProcess({
    name: "heroes-test",
    config: { ...testServiceConfig, ...options.config },
    logger,
    registry,
    services: [registration(HeroService, createInMemoryHeroes(options))],
    files: [file_superheroes_hero_v1_hero_service],
    readiness: options.readiness ?? (async () => true),
    readinessIntervalMs: options.readinessIntervalMs ?? 20,
    close: async () => {},
  });
  const client = createTestClient(service.grpcPort);
  return {
    service,
    client,
    registry,
    logLines: lines,
    async close() {
      client.close();
      await service.stop();
    },
  };
}
