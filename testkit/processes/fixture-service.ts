/**
 * A real service process for platform tests: config from FIXTURE_* variables, the in-memory
 * HeroService, the admin server, readiness, and shutdown on SIGTERM/SIGINT, wired the way every
 * service's main.ts is. Run: `node --import tsx testkit/processes/fixture-service.ts`.
 */
import { Registry } from "prom-client";
import { file_superheroes_hero_v1_hero_service, HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import { loadConfig } from "../../services/platform/config/env-reader.js";
import { registration } from "../../services/platform/server/grpc-server.js";
import { createLogger } from "../../services/platform/observability/logger.js";
import { serviceConfigFromEnv } from "../../services/platform/config/service-config.js";
import { startServiceProcess, stopOnSignals } from "../../services/platform/server/service-process.js";
import { createInMemoryHeroes } from "../grpc/in-memory-heroes.js";

// Port 0 by default: a fixture never competes for the real services' ports.
const config = loadConfig((env) => serviceConfigFromEnv(env, "FIXTURE", { grpc: 0, admin: 0 }));
const logger = createLogger("fixture", config.logLevel);
const service = await startServiceProcess({
  name: "fixture",
  config,
  logger,
  registry: new Registry(),
  services: [registration(HeroService, createInMemoryHeroes())],
  files: [file_superheroes_hero_v1_hero_service],
  readiness: async () => true,
  close: async () => {},
});
stopOnSignals(service, logger);
