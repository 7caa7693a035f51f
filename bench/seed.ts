/**
 * Bulk-loads generated rows into a catalog service's database for scale tests:
 *
 *   npm run seed -- --service heroes --count 1000000 [--database-url postgresql://...]
 *
 * The database is `--database-url`, else the service's own setting (HEROES_DATABASE_URL, or
 * HEROES_DATA_DIR for a PGlite directory). The schema is migrated first. Progress on stderr.
 */
import { parseArgs } from "node:util";
import { heroSpec } from "../services/heroes/hero-spec.js";
import { locationSpec } from "../services/locations/location-spec.js";
import { loadSeedTarget, runSeed, type SeedTarget } from "../services/platform/catalog/seed-cli.js";
import { loadConfig } from "../services/platform/config/env-reader.js";
import { villainSpec } from "../services/villains/villain-spec.js";
import { serviceList } from "../services/service-list.js";

const targets: Record<string, () => SeedTarget> = {
  heroes: () =>
    loadSeedTarget(
      heroSpec,
      loadConfig(serviceList.heroes.readConfig),
      new URL("../services/heroes/seed-heroes.json", import.meta.url),
    ),
  villains: () =>
    loadSeedTarget(
      villainSpec,
      loadConfig(serviceList.villains.readConfig),
      new URL("../services/villains/seed-villains.json", import.meta.url),
    ),
  locations: () =>
    loadSeedTarget(
      locationSpec,
      loadConfig(serviceList.locations.readConfig),
      new URL("../services/locations/seed-locations.json", import.meta.url),
    ),
};

const { values } = parseArgs({
  options: { service: { type: "string" }, count: { type: "string" }, "database-url": { type: "string" } },
});
const target = targets[values.service ?? ""];
const count = Number(values.count);
if (target === undefined || !Number.isSafeInteger(count) || count < 1) {
  process.stderr.write(
    `usage: npm run seed -- --service ${Object.keys(targets).join("|")} --count <rows ≥ 1> [--database-url <postgresql://...>]\n`,
  );
  process.exit(2);
}
await runSeed(target(), { count, databaseUrl: values["database-url"] });
