import type { CatalogSpec } from "../platform/catalog/catalog-spec.js";
import { locationFields, type LocationRecord } from "../domain/location-fields.js";

/** The locations catalog: table `locations`, names unique (a taken name is ALREADY_EXISTS). */
export const locationSpec: CatalogSpec<LocationRecord> = {
  singular: "location",
  plural: "locations",
  uniqueNames: true,
  fields: locationFields,
};
