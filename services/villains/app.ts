import { file_superheroes_villain_v1_villain_service } from "../../gen/superheroes/villain/v1/villain_service_pb.js";
import { startCatalogService } from "../platform/catalog/start-catalog-service.js";
import type { RunningService } from "../platform/server/service-process.js";
import type { CatalogConfig } from "../platform/catalog/catalog-config.js";
import { createVillainRegistration } from "./villain-contract.js";
import { villainSpec } from "./villain-spec.js";

/** Starts the villains service: database, migrations, seed from seed-villains.json, servers. */
export function startVillains(config: CatalogConfig): Promise<RunningService> {
  return startCatalogService({
    name: "villains",
    config,
    spec: villainSpec,
    seedFile: new URL("./seed-villains.json", import.meta.url),
    files: [file_superheroes_villain_v1_villain_service],
    register: createVillainRegistration,
  });
}
