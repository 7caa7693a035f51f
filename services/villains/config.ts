import type { EnvReader } from "../platform/config/env-reader.js";
import { catalogConfigFromEnv, type CatalogConfig } from "../platform/catalog/catalog-config.js";

/** Settings of the villains service (VILLAINS_* variables; see CatalogConfig). */
export type VillainsConfig = CatalogConfig;

/**
 * Reads VILLAINS_GRPC_PORT (50052), VILLAINS_ADMIN_PORT (9402) and the other common settings, plus
 * VILLAINS_DATABASE_URL, VILLAINS_DATA_DIR, VILLAINS_DB_POOL_SIZE (10) and VILLAINS_SEED (true).
 */
export function villainsConfigFromEnv(env: EnvReader): VillainsConfig {
  return catalogConfigFromEnv(env, "VILLAINS", { grpc: 50052, admin: 9402 });
}
