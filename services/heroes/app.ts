import { file_superheroes_hero_v1_hero_service } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import { startCatalogService } from "../platform/catalog/start-catalog-service.js";
import type { RunningService } from "../platform/server/service-process.js";
import type { CatalogConfig } from "../platform/catalog/catalog-config.js";
import { createHeroRegistration } from "./hero-contract.js";
import { heroSpec } from "./hero-spec.js";

/** Starts the heroes service: database, migrations, seed from seed-heroes.json, servers. */
export function startHeroes(config: CatalogConfig): Promise<RunningService> {
  return startCatalogService({
    name: "heroes",
    config,
    spec: heroSpec,
    seedFile: new URL("./seed-heroes.json", import.meta.url),
    files: [file_superheroes_hero_v1_hero_service],
    register: createHeroRegistration,
  });
}
