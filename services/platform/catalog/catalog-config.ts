import { ConfigError, type EnvReader } from "../config/env-reader.js";
import { serviceConfigFromEnv, type ServiceConfig, type ServicePorts } from "../config/service-config.js";

/** Settings of a catalog data service (heroes, villains, locations). */
export interface CatalogConfig extends ServiceConfig {
  /** `<PREFIX>_DATABASE_URL`: PostgreSQL through a pg Pool; undefined → embedded PGlite. */
  databaseUrl: string | undefined;
  /** `<PREFIX>_DATA_DIR`: PGlite data directory; undefined → in memory. Ignored with a URL. */
  dataDir: string | undefined;
  /** `<PREFIX>_DB_POOL_SIZE`: most PostgreSQL connections, default 10. */
  dbPoolSize: number;
  /** `<PREFIX>_SEED`: seed an empty table at start-up, default true. */
  seed: boolean;
}

/** Reads the common service settings plus the database settings of catalog service `prefix`. */
export function catalogConfigFromEnv(env: EnvReader, prefix: string, ports: ServicePorts): CatalogConfig {
  const urlName = `${prefix}_DATABASE_URL`;
  const databaseUrl = env.optionalString(urlName);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(databaseUrl)) {
    throw new ConfigError(
      urlName,
      "must be a postgresql://user@host:port/database URL (unset it to use the embedded PGlite)",
    );
  }
  return {
    ...serviceConfigFromEnv(env, prefix, ports),
    databaseUrl,
    dataDir: env.optionalString(`${prefix}_DATA_DIR`),
    dbPoolSize: env.int(`${prefix}_DB_POOL_SIZE`, 10, { min: 1, max: 1000 }),
    seed: env.bool(`${prefix}_SEED`, true),
  };
}
