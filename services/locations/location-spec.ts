import type { CatalogSpec } from "../platform/catalog/catalog-spec.js";
import { atMostCharacters, lengthBetween, oneOf, pictureReference } from "../platform/catalog/field-checks.js";

/** Kinds of location; a stored location always has one. */
export const locationKinds = ["PLANET", "CITY", "PLACE", "ISLAND", "COUNTRY", "MOON"] as const;
export type LocationKind = (typeof locationKinds)[number];

/** A place where a fight happens. */
export interface Location {
  id: number;
  /** Unique, 3 to 50 characters. */
  name: string;
  /** Free text, at most 2000 characters; empty when there is none. */
  description: string;
  /** Empty, an http(s) URL or a path starting with "/". */
  picture: string;
  type: LocationKind;
}

/** The locations catalog: table `locations`, names unique (a taken name is ALREADY_EXISTS). */
export const locationSpec: CatalogSpec<Location> = {
  singular: "location",
  plural: "locations",
  uniqueNames: true,
  fields: {
    name: { column: "name", type: "text", check: lengthBetween(3, 50) },
    description: { column: "description", type: "text", check: atMostCharacters(2000) },
    picture: { column: "picture", type: "text", check: pictureReference },
    type: { column: "type", type: "text", check: oneOf(locationKinds) },
  },
};
