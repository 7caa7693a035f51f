import type { Client } from "@grpc/grpc-js";
import { Registry } from "prom-client";
import { file_superheroes_hero_v1_hero_service, HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import {
  registration,
  startGrpcServer,
  type GrpcServerOptions,
  type RunningGrpcServer,
} from "../../services/platform/server/grpc-server.js";
import { createCapturedLogger, type LogLine } from "../captured-logger.js";
import { createTestClient } from "./grpc-test-client.js";
import { createInMemoryHeroes, type InMemoryHeroesOptions } from "./in-memory-heroes.js";

/** Options of `startTestGrpcServer`: limits to override, and the in-memory service's hooks. */
export interface TestGrpcServerOptions
  extends InMemoryHeroesOptions, Partial<Pick<GrpcServerOptions, "maxInFlight" | "maxMessageBytes">> {}

/** A bare gRPC server (no admin port, no readiness loop) serving the in-memory HeroService. */
export interface TestGrpcServer {
  server: RunningGrpcServer;
  client: Client;
  registry: Registry;
  logLines(): LogLine[];
  /** Closes the client and shuts the server down (no grace). */
  close(): Promise<void>;
}

/** Starts `startGrpcServer` on 127.0.0.1:0 with the in-memory HeroService, SERVING. */
export async function startTestGrpcServer(options: TestGrpcServerOptions = {}): Promise<TestGrpcServer> {
  const { logger, lines } = createCapturedLogger("grpc-test");
  const registry = new Registry();
  const server = await startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    services: [registration(HeroService, createInMemoryHeroes(options))],
    files: [file_superheroes_hero_v1_hero_service],
    logger,
    registry,
    maxInFlight: options.maxInFlight ?? 100,
    maxMessageBytes: options.maxMessageBytes ?? 4 * 1024 * 1024,
  });
  server.health.setServing(true);
  const client = createTestClient(server.port);
  return {
    server,
    client,
    registry,
    logLines: lines,
    async close() {
      client.close();
      await server.shutdown(0);
    },
  };
}
