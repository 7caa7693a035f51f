import type { Fighters } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { LocationType } from "../../../../gen/superheroes/location/v1/location_service_pb.js";
import type { FighterView, LocationView } from "./fighter-card.js";

/** The cards' view of the fighters answered by GetRandomFighters. */
export interface FightersView {
  hero: FighterView;
  villain: FighterView;
  location: LocationView;
}

/** Converts GetRandomFighters' answer to what the cards show; missing parts count as fallbacks. */
export function fightersViewFromMessage(fighters: Fighters): FightersView {
  const { location } = fighters;
  return {
    hero: fighterView("hero", fighters.hero, fighters.heroFallback),
    villain: fighterView("villain", fighters.villain, fighters.villainFallback),
    location: {
      name: location?.name ?? "Unknown location",
      description: location?.description ?? "",
      type: locationTypeName(location?.type ?? LocationType.UNSPECIFIED),
      picture: location?.picture ?? "",
      fallback: fighters.locationFallback || location === undefined,
    },
  };
}

function fighterView(
  side: FighterView["side"],
  fighter: Fighters["hero"] | Fighters["villain"],
  fallback: boolean,
): FighterView {
  return {
    side,
    name: fighter?.name ?? `Unknown ${side}`,
    otherName: fighter?.otherName ?? "",
    level: fighter?.level ?? 0,
    powers: fighter?.powers ?? "",
    picture: fighter?.picture ?? "",
    fallback: fallback || fighter === undefined,
  };
}

/** `LocationType.ISLAND` → "Island"; "" for UNSPECIFIED. */
export function locationTypeName(type: LocationType): string {
  if (type === LocationType.UNSPECIFIED) return "";
  const name = LocationType[type];
  return name === undefined ? "" : name.charAt(0) + name.slice(1).toLowerCase();
}
