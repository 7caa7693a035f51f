import type { Fighters } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { LocationType } from "../../../gen/superheroes/location/v1/location_service_pb.js";
import type { FighterView, LocationView } from "./fighter-card.js";

/** The cards' view of the fighters answered by GetRandomFighters. */
export interface FightersView {
  hero: FighterView;
  villain: FighterView;
  location: LocationView;
}

/** Converts GetRandomFighters' answer to what the cards show; missing parts count as fallbacks. */
export function fightersViewFromMessage(fighters: Fighters): FightersView {
  const { hero, villain, location } = fighters;
  return {
    hero: {
      side: "hero",
      name: hero?.name ?? "Unknown hero",
      otherName: hero?.otherName ?? "",
      level: hero?.level ?? 0,
      powers: hero?.powers ?? "",
      picture: hero?.picture ?? "",
      fallback: fighters.heroFallback || hero === undefined,
    },
    villain: {
      side: "villain",
      name: villain?.name ?? "Unknown villain",
      otherName: villain?.otherName ?? "",
      level: villain?.level ?? 0,
      powers: villain?.powers ?? "",
      picture: villain?.picture ?? "",
      fallback: fighters.villainFallback || villain === undefined,
    },
    location: {
      name: location?.name ?? "Unknown location",
      description: location?.description ?? "",
      type: locationTypeName(location?.type ?? LocationType.UNSPECIFIED),
      picture: location?.picture ?? "",
      fallback: fighters.locationFallback || location === undefined,
    },
  };
}

/** `LocationType.ISLAND` → "Island"; "" for UNSPECIFIED. */
export function locationTypeName(type: LocationType): string {
  if (type === LocationType.UNSPECIFIED) return "";
  const name = LocationType[type];
  return name === undefined ? "" : name.charAt(0) + name.slice(1).toLowerCase();
}
