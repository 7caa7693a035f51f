import type { CatalogFields, CatalogInput } from "../platform/catalog/catalog-spec.js";
import { atMostCharacters, lengthBetween, oneOf, pictureReference } from "../platform/catalog/field-checks.js";

/**
 * What a location is, for the locations service that stores them and for fights that stages
 * fights in them: its kinds and the rules its fields follow.
 */

/** Kinds of location, as the contract's LocationType names them (without the prefix). */
export const locationKinds = ["PLANET", "CITY", "PLACE", "ISLAND", "COUNTRY", "MOON"] as const;
export type LocationKind = (typeof locationKinds)[number];

/** A stored location. */
export interface LocationRecord {
  id: number;
  /** Unique, 3 to 50 characters. */
  name: string;
  /** Free text, at most 2000 characters; empty when there is none. */
  description: string;
  /** Empty, an http(s) URL or a path starting with "/". */
  picture: string;
  type: LocationKind;
}

/** The fields of a location, their columns (the proto field names) and their rules. */
export const locationFields: CatalogFields<CatalogInput<LocationRecord>> = {
  name: { column: "name", type: "text", check: lengthBetween(3, 50) },
  description: { column: "description", type: "text", check: atMostCharacters(2000) },
  picture: { column: "picture", type: "text", check: pictureReference },
  type: { column: "type", type: "text", check: oneOf(locationKinds) },
};
