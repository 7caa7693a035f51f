import { HeroService, type Hero } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import {
  LocationService,
  LocationType,
  type Location,
} from "../../../gen/superheroes/location/v1/location_service_pb.js";
import { VillainService, type Villain } from "../../../gen/superheroes/villain/v1/villain_service_pb.js";
import type { CallContext } from "../../platform/core/call-context.js";
import type { UpstreamClient } from "../../platform/calls/upstream-client.js";
import { isServiceError } from "../../platform/calls/grpc-client.js";
import { codeName } from "../../platform/grpc/grpc-status.js";
import type { Fighter, PlaceKind, Place } from "../fight.js";
import type { FighterSource } from "./fighter-source.js";

/** The three upstream clients of the fights service. */
export interface Upstreams {
  heroes: UpstreamClient<typeof HeroService>;
  villains: UpstreamClient<typeof VillainService>;
  locations: UpstreamClient<typeof LocationService>;
}

/**
 * A FighterSource that calls the data services for every pick: the single-row RPC for one pick,
 * the batch RPC for more. Each call's deadline is the caller's, capped by the upstream timeout.
 */
export function createUpstreamSource(upstreams: Upstreams): FighterSource {
  const { heroes, villains, locations } = upstreams;
  return {
    async heroes(count, context) {
      if (count === 1) return [fighterFrom((await heroes.methods.getRandomHero({}, heroes.callOptions(context))).hero)];
      return (await heroes.methods.getRandomHeroes({ count }, heroes.callOptions(context))).heroes.map(fighterFrom);
    },
    async villains(count, context) {
      if (count === 1)
        return [fighterFrom((await villains.methods.getRandomVillain({}, villains.callOptions(context))).villain)];
      return (await villains.methods.getRandomVillains({ count }, villains.callOptions(context))).villains.map(
        fighterFrom,
      );
    },
    async locations(count, context: CallContext) {
      if (count === 1)
        return [placeFrom((await locations.methods.getRandomLocation({}, locations.callOptions(context))).location)];
      return (await locations.methods.getRandomLocations({ count }, locations.callOptions(context))).locations.map(
        placeFrom,
      );
    },
  };
}

/** A Fighter from an upstream Hero or Villain; a response without one is a broken upstream. */
export function fighterFrom(message: Hero | Villain | undefined): Fighter {
  if (message === undefined) throw new Error("upstream answered without a fighter");
  return {
    name: message.name,
    otherName: message.otherName,
    level: message.level,
    picture: message.picture,
    powers: message.powers,
  };
}

/** A Place from an upstream Location. */
export function placeFrom(message: Location | undefined): Place {
  if (message === undefined) throw new Error("upstream answered without a location");
  return {
    name: message.name,
    description: message.description,
    picture: message.picture,
    type: placeKindFrom(message.type),
  };
}

function placeKindFrom(type: LocationType): PlaceKind {
  const name = LocationType[type]?.replace("LOCATION_TYPE_", "");
  return name === undefined ? "UNSPECIFIED" : (name as PlaceKind);
}

/** Why an upstream pick failed, in a few words for a message: `UNAVAILABLE circuit breaker for heroes is open; failing fast`. */
export function describeUpstreamFailure(reason: unknown): string {
  if (isServiceError(reason)) return `${codeName(reason.code)} ${reason.details}`.trim();
  return reason instanceof Error ? reason.message : String(reason);
}
