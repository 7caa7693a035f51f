import type { CatalogSpec } from "./catalog-spec.js";
import { atMostCharacters, lengthBetween, pictureReference, positiveInteger } from "./field-checks.js";

/** A hero or a villain: the two fighter catalogs have the same fields. */
export interface Fighter {
  id: number;
  /** 3 to 50 characters. */
  name: string;
  /** Alias or civilian name, at most 100 characters; empty when unknown. */
  otherName: string;
  /** Fighting strength, 1 to 2147483647. */
  level: number;
  /** Empty, an http(s) URL or a path starting with "/". */
  picture: string;
  /** Free text, at most 2000 characters; empty when unknown. */
  powers: string;
}

/** Names of a fighter catalog. */
export interface FighterNames {
  /** `hero` */
  singular: string;
  /** `heroes`: also the table name. */
  plural: string;
}

/** The spec of a fighter catalog (heroes or villains); validation as the reference system. */
export function createFighterSpec(names: FighterNames): CatalogSpec<Fighter> {
  return {
    ...names,
    uniqueNames: false,
    fields: {
      name: { column: "name", type: "text", check: lengthBetween(3, 50) },
      otherName: { column: "other_name", type: "text", check: atMostCharacters(100) },
      level: { column: "level", type: "integer", check: positiveInteger },
      picture: { column: "picture", type: "text", check: pictureReference },
      powers: { column: "powers", type: "text", check: atMostCharacters(2000) },
    },
  };
}
