import type { EnvReader } from "../platform/config/env-reader.js";
import { catalogConfigFromEnv, type CatalogConfig } from "../platform/catalog/catalog-config.js";

/** Settings of the locations service (LOCATIONS_* variables; see CatalogConfig). */
export type LocationsConfig = CatalogConfig;

/**
 * Reads LOCATIONS_GRPC_PORT (50053), LOCATIONS_ADMIN_PORT (9403) and the other common settings, plus
 * LOCATIONS_DATABASE_URL, LOCATIONS_DATA_DIR, LOCATIONS_DB_POOL_SIZE (10) and LOCATIONS_SEED (true).
 */
export function locationsConfigFromEnv(env: EnvReader): LocationsConfig {
  return catalogConfigFromEnv(env, "LOCATIONS", { grpc: 50053, admin: 9403 });
}
