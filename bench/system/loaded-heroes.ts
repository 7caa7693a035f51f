import { sql } from "kysely";
import { heroSpec } from "../../services/heroes/hero-spec.js";
import { generateItems } from "../../services/platform/catalog/catalog-generator.js";
import { migrateCatalog } from "../../services/platform/catalog/catalog-migrations.js";
import type { CatalogDatabase } from "../../services/platform/catalog/catalog-rows.js";
import { readSeedFile } from "../../services/platform/catalog/catalog-seed.js";
import { openDatabase } from "../../services/platform/database/database.js";
import { createLogger } from "../../services/platform/observability/logger.js";
import { createThrowawayDatabase } from "../../testkit/postgres.js";
import type { BenchContext } from "../bench-context.js";

/**
 * A throw-away PostgreSQL database (from BENCH_DATABASE_URL) holding `count` generated heroes,
 * vacuumed and analysed like a long-running table; returns its URL. Same loading as
 * bench/random-pick.ts.
 */
export async function loadHeroesDatabase(context: BenchContext, adminUrl: string, count: number): Promise<string> {
  const throwaway = await createThrowawayDatabase({ adminUrl, prefix: "bench" });
  context.defer(() => throwaway.drop());
  const templates = await readSeedFile(heroSpec, new URL("../../services/heroes/seed-heroes.json", import.meta.url));
  const database = await openDatabase<CatalogDatabase>({
    url: throwaway.url,
    poolSize: 1,
    logger: createLogger("bench", "warn"),
  });
  const started = performance.now();
  try {
    await migrateCatalog(database.db, heroSpec);
    await generateItems({ db: database.db, spec: heroSpec, templates, count });
    await sql`vacuum analyze heroes`.execute(database.db);
  } finally {
    await database.close();
  }
  context.progress(`loaded ${count} heroes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return throwaway.url;
}
