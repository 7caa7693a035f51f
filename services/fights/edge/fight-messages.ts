import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  BreakerState,
  type FightSchema,
  type FightersSchema,
  type PerformFightRequest,
  Team,
  type UpstreamStatusSchema,
} from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { LocationType } from "../../../gen/superheroes/location/v1/location_service_pb.js";
import { InvalidArgumentError } from "../../platform/core/errors.js";
import type { UpstreamStats } from "../../platform/calls/upstream-client.js";
import { fallbackHero, fallbackLocation, fallbackVillain } from "../fighters/upstream-policies.js";
import { type Combatant, type Fight, type Fighter, type Fighters, type PlaceKind, type Place } from "../fight.js";
import { fighterFrom, placeFrom } from "../fighters/upstream-fighters.js";

/**
 * Conversions between fights messages and the fights domain, shared by the gRPC and the
 * Connect adapters.
 */

/** The Fighters of a PerformFight request; a missing hero, villain or location is INVALID_ARGUMENT. */
export function fightersFromRequest(request: PerformFightRequest): Fighters {
  const { hero, villain, location } = request;
  if (hero === undefined) throw new InvalidArgumentError("hero", "is required");
  if (villain === undefined) throw new InvalidArgumentError("villain", "is required");
  if (location === undefined) throw new InvalidArgumentError("location", "is required");
  return {
    hero: fighterFrom(hero),
    villain: fighterFrom(villain),
    location: placeFrom(location),
    heroFallback: isFallback(hero, fallbackHero),
    villainFallback: isFallback(villain, fallbackVillain),
    locationFallback: isFallback(location, fallbackLocation),
  };
}

/** A fallback sent back by a client (the page fights what GetRandomFighters showed): no id and the fallback's name. */
function isFallback(message: { id: bigint; name: string }, fallback: { name: string }): boolean {
  return message.id === 0n && message.name === fallback.name;
}

/** The Fighters message of a domain Fighters. */
export function fightersToMessage(fighters: Fighters): MessageInitShape<typeof FightersSchema> {
  return {
    hero: fighterToMessage(fighters.hero),
    villain: fighterToMessage(fighters.villain),
    location: {
      name: fighters.location.name,
      description: fighters.location.description,
      picture: fighters.location.picture,
      type: locationTypeToMessage(fighters.location.type),
    },
    heroFallback: fighters.heroFallback,
    villainFallback: fighters.villainFallback,
    locationFallback: fighters.locationFallback,
  };
}

function fighterToMessage(fighter: Fighter) {
  return {
    name: fighter.name,
    otherName: fighter.otherName,
    level: fighter.level,
    picture: fighter.picture,
    powers: fighter.powers,
  };
}

/** The Fight message of a stored fight. */
export function fightToMessage(fight: Fight): MessageInitShape<typeof FightSchema> {
  return {
    id: fight.id,
    fightTime: timestampFromDate(fight.fightTime),
    winner: combatantToMessage(fight.winner),
    loser: combatantToMessage(fight.loser),
    location: { ...placeFields(fight.location), fallback: fight.location.fallback },
  };
}

function combatantToMessage(combatant: Combatant) {
  return { ...combatant, team: teamToMessage(combatant.team) };
}

function placeFields(place: Place) {
  return {
    name: place.name,
    description: place.description,
    picture: place.picture,
    type: locationTypeToMessage(place.type),
  };
}

/** The proto Team of a domain team. */
export function teamToMessage(team: Combatant["team"]): Team {
  return team === "heroes" ? Team.HEROES : Team.VILLAINS;
}

function locationTypeToMessage(type: PlaceKind): LocationType {
  return type === "UNSPECIFIED" ? LocationType.UNSPECIFIED : LocationType[type];
}

/** The UpstreamStatus message of an upstream's stats. */
export function upstreamStatusToMessage(stats: UpstreamStats): MessageInitShape<typeof UpstreamStatusSchema> {
  return {
    name: stats.name,
    breakerState: BreakerState[stats.breakerState],
    channelState: stats.channelState,
    calls: BigInt(stats.calls),
    failures: BigInt(stats.failures),
    rejections: BigInt(stats.rejections),
    failureRate: stats.breaker?.failureRate ?? 0,
    windowCalls: BigInt(stats.breaker?.windowCalls ?? 0),
    lastTransitionReason: stats.breaker?.lastTransition?.reason ?? "",
  };
}
