import type { CatalogFields, CatalogInput, CatalogSpec } from "../platform/catalog/catalog-spec.js";
import {
  atMostCharacters,
  lengthBetween,
  pictureReference,
  positiveInteger,
} from "../platform/catalog/field-checks.js";
import { idToProto } from "../platform/catalog/catalog-messages.js";

/**
 * What heroes and villains share: the fields of a fighter, the rules each follows (the data
 * services check them on create and update, fights checks the fighters a client sends with
 * PerformFight), and the Hero/Villain message shape.
 */

/** A stored hero or villain. */
export interface FighterRecord {
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

/** The fields of a fighter, their columns (the proto field names) and their rules. */
export const fighterFields: CatalogFields<CatalogInput<FighterRecord>> = {
  name: { column: "name", type: "text", check: lengthBetween(3, 50) },
  otherName: { column: "other_name", type: "text", check: atMostCharacters(100) },
  level: { column: "level", type: "integer", check: positiveInteger },
  picture: { column: "picture", type: "text", check: pictureReference },
  powers: { column: "powers", type: "text", check: atMostCharacters(2000) },
};

/** Names of a fighter catalog. */
export interface FighterNames {
  /** `hero` */
  singular: string;
  /** `heroes`: also the table name. */
  plural: string;
}

/** The spec of a fighter catalog (heroes or villains). */
export function createFighterSpec(names: FighterNames): CatalogSpec<FighterRecord> {
  return { ...names, uniqueNames: false, fields: fighterFields };
}

/** The fields a Hero or Villain proto message has (both have the same shape). */
export interface FighterMessage {
  id: bigint;
  name: string;
  otherName: string;
  level: number;
  picture: string;
  powers: string;
}

/** A stored fighter as the init shape of a Hero or Villain message. */
export function fighterToProto(fighter: FighterRecord): FighterMessage {
  return { ...fighter, id: idToProto(fighter.id) };
}

/** The input in a Hero or Villain message (its id is not part of it). */
export function fighterInputFromProto(message: FighterMessage): CatalogInput<FighterRecord> {
  const { name, otherName, level, picture, powers } = message;
  return { name, otherName, level, picture, powers };
}
