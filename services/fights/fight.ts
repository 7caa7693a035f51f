import type { LocationKind } from "../domain/location-fields.js";

/**
 * The fights domain: plain data, no protocol. Upstream messages and rows are converted to and
 * from these in one place each (fighters/upstream-fighters.ts, storage/fights-repository.ts, edge/fight-messages.ts); the
 * fallbacks are part of each upstream's policy (fighters/upstream-policies.ts).
 */

/** A hero or a villain as the fights service needs it. */
export interface Fighter {
  name: string;
  otherName: string;
  level: number;
  picture: string;
  powers: string;
}

/** Kind of place; UNSPECIFIED only for input we could not classify. */
export type PlaceKind = LocationKind | "UNSPECIFIED";

/** Where a fight happens. */
export interface Place {
  name: string;
  description: string;
  picture: string;
  type: PlaceKind;
}

/** A hero, a villain and a location, with which of them are fallbacks. */
export interface Fighters {
  hero: Fighter;
  villain: Fighter;
  location: Place;
  heroFallback: boolean;
  villainFallback: boolean;
  locationFallback: boolean;
}

export type Team = "heroes" | "villains";

/** One side of a decided fight. */
export interface Combatant {
  name: string;
  level: number;
  powers: string;
  picture: string;
  team: Team;
  fallback: boolean;
}

/** A decided fight, before it is stored. */
export interface FightResult {
  fightTime: Date;
  winner: Combatant;
  loser: Combatant;
  location: Place & { fallback: boolean };
}

/** A stored fight. */
export interface Fight extends FightResult {
  /** Positive, drawn in insert order (int8: every 64-bit value kept). */
  id: bigint;
}
