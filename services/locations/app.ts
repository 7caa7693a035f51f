import { file_superheroes_location_v1_location_service } from "../../gen/superheroes/location/v1/location_service_pb.js";
import { startCatalogService } from "../platform/catalog/start-catalog-service.js";
import type { RunningService } from "../platform/server/service-process.js";
import type { CatalogConfig } from "../platform/catalog/catalog-config.js";
import { createLocationRegistration } from "./location-contract.js";
import { locationSpec } from "./location-spec.js";

/** Starts the locations service: database, migrations, seed from seed-locations.json, servers. */
export function startLocations(config: CatalogConfig): Promise<RunningService> {
  return startCatalogService({
    name: "locations",
    config,
    spec: locationSpec,
    seedFile: new URL("./seed-locations.json", import.meta.url),
    files: [file_superheroes_location_v1_location_service],
    register: createLocationRegistration,
  });
}
