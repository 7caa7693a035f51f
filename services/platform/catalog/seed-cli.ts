import { openDatabase } from "../database/database.js";
import { createLogger } from "../observability/logger.js";
import type { CatalogConfig } from "./catalog-config.js";
import { generateItems, type GenerateProgress } from "./catalog-generator.js";
import { migrateCatalog } from "./catalog-migrations.js";
import type { CatalogDatabase } from "./catalog-rows.js";
import { readSeedFile } from "./catalog-seed.js";
import type { CatalogItem, CatalogSpec } from "./catalog-spec.js";

/** A catalog the seed command can load: where it lives and what to generate from. */
export interface SeedTarget {
  /** Loads `count` generated rows; `databaseUrl` overrides the service's configuration. */
  load(options: SeedOptions): Promise<number>;
}

/** Options of one seed run. */
export interface SeedOptions {
  count: number;
  databaseUrl?: string;
  onProgress?: (progress: GenerateProgress) => void;
}

/** The seed target of a catalog service, from its spec, its configuration and its seed file. */
export function loadSeedTarget<T extends CatalogItem>(
  spec: CatalogSpec<T>,
  config: CatalogConfig,
  seedFile: URL,
): SeedTarget {
  return {
    async load({ count, databaseUrl, onProgress }) {
      const url = databaseUrl ?? config.databaseUrl;
      if (url === undefined && config.dataDir === undefined) {
        throw new Error(
          `nowhere to seed: pass --database-url or set the ${spec.plural} service's DATABASE_URL or DATA_DIR (an in-memory PGlite would vanish)`,
        );
      }
      const database = await openDatabase<CatalogDatabase>({
        url,
        dataDir: config.dataDir,
        poolSize: 2,
        logger: createLogger("seed", "warn"),
      });
      try {
        await migrateCatalog(database.db, spec);
        return await generateItems({
          db: database.db,
          spec,
          templates: await readSeedFile(spec, seedFile),
          count,
          onProgress,
        });
      } finally {
        await database.close();
      }
    },
  };
}

/** Runs one seed with a progress line on stderr (rewritten in place) and a summary at the end. */
export async function runSeed(target: SeedTarget, options: SeedOptions): Promise<number> {
  const inserted = await target.load({
    ...options,
    onProgress: (progress) => process.stderr.write(`\r${progressLine(progress)}`),
  });
  process.stderr.write("\n");
  return inserted;
}

/** `[#####.....] 500000/1000000 (50%) 81234 rows/s`: one progress line. */
export function progressLine({ inserted, total, elapsedMs }: GenerateProgress): string {
  const width = 30;
  const filled = Math.round((inserted / total) * width);
  const rate = Math.round(inserted / Math.max(elapsedMs / 1000, 0.001));
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${inserted}/${total} (${Math.floor((inserted / total) * 100)}%) ${rate} rows/s`;
}
