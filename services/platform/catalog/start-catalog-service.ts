import type { DescFile } from "@bufbuild/protobuf";
import { Registry } from "prom-client";
import { openDatabase } from "../database/database.js";
import type { ServiceRegistration } from "../server/grpc-server.js";
import { createLogger } from "../observability/logger.js";
import { startTracing } from "../observability/tracing.js";
import { startServiceProcess, type RunningService } from "../server/service-process.js";
import type { CatalogConfig } from "./catalog-config.js";
import { migrateCatalog } from "./catalog-migrations.js";
import { createCatalogRepository } from "./catalog-repository.js";
import type { CatalogDatabase } from "./catalog-rows.js";
import { createCatalogService, type CatalogService } from "./catalog-service.js";
import { readSeedFile, seedIfEmpty } from "./catalog-seed.js";
import type { CatalogItem, CatalogSpec } from "./catalog-spec.js";

/** Options of `startCatalogService`. */
export interface CatalogServiceOptions<T extends CatalogItem> {
  /** Service name for logs and /stats: heroes, villains, locations. */
  name: string;
  config: CatalogConfig;
  spec: CatalogSpec<T>;
  /** JSON array of seed items, loaded into an empty table when `config.seed` is on. */
  seedFile: URL;
  /** Generated files reflection serves. */
  files: readonly DescFile[];
  /** The grpc registration of the service (the thin adapter over `service`). */
  register(service: CatalogService<T>): ServiceRegistration;
}

/** How long the readiness probe waits for the database, ms. */
const pingTimeoutMs = 1_000;

/**
 * Starts a catalog data service: config → database (PostgreSQL or PGlite) → migrations → seed
 * (empty table only) → gRPC and admin servers, with health SERVING only while the database
 * answers a ping.
 */
export async function startCatalogService<T extends CatalogItem>(
  options: CatalogServiceOptions<T>,
): Promise<RunningService> {
  const { config, spec, name } = options;
  const logger = createLogger(name, config.logLevel);
  const database = await openDatabase<CatalogDatabase>({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
    logger,
  });
  try {
    await migrateCatalog(database.db, spec);
    if (config.seed) {
      const inserted = await seedIfEmpty(database.db, spec, await readSeedFile(spec, options.seedFile));
      logger.info(
        { inserted, database: database.description },
        inserted > 0 ? `seeded ${inserted} ${spec.plural}` : `${spec.plural} already present; not seeding`,
      );
    }
    const service = createCatalogService(createCatalogRepository(database.db, spec), spec);
    const tracing = await startTracing(config.tracing, logger);
    return await startServiceProcess({
      name,
      config,
      logger,
      registry: new Registry(),
      services: [options.register(service)],
      files: options.files,
      readiness: () => database.ping(pingTimeoutMs),
      stats: () => ({ database: database.description }),
      close: () => database.close(),
      ...(tracing === undefined ? {} : { tracing }),
    });
  } catch (error: unknown) {
    await database.close().catch(() => undefined);
    throw error;
  }
}
