import type { EnvReader } from "../platform/config/env-reader.js";
import { catalogConfigFromEnv, type CatalogConfig } from "../platform/catalog/catalog-config.js";

/** Settings of the heroes service (HEROES_* variables; see CatalogConfig). */
export type HeroesConfig = CatalogConfig;

/**
 * Reads HEROES_GRPC_PORT (50051), HEROES_ADMIN_PORT (9401) and the other common settings, plus
 * HEROES_DATABASE_URL, HEROES_DATA_DIR, HEROES_DB_POOL_SIZE (10) and HEROES_SEED (true).
 */
export function heroesConfigFromEnv(env: EnvReader): HeroesConfig {
  return catalogConfigFromEnv(env, "HEROES", { grpc: 50051, admin: 9401 });
}
