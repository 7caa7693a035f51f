import { formatCount, h } from "../dom.js";
import { createPicture, type PictureKind } from "./picture.js";

/** A hero or villain as a card shows it. */
export interface FighterView {
  side: "hero" | "villain";
  name: string;
  otherName: string;
  level: number;
  powers: string;
  picture: string;
  /** The data service did not answer and this is the orchestrator's fallback fighter. */
  fallback: boolean;
}

/** A location as a card shows it. */
export interface LocationView {
  name: string;
  description: string;
  /** Human name of the location type, e.g. "Planet"; empty when unknown. */
  type: string;
  picture: string;
  fallback: boolean;
}

const serviceOf: Record<PictureKind, string> = { hero: "heroes", villain: "villains", location: "locations" };

/** A card of one fighter: picture, name, alias, level and powers; fallbacks are marked. */
export function renderFighterCard(fighter: FighterView): HTMLElement {
  const titleId = `${fighter.side}-name`;
  return h(
    "article",
    {
      class: `card fighter ${fighter.side}`,
      "data-side": fighter.side,
      "data-fallback": fighter.fallback,
      "aria-labelledby": titleId,
    },
    h("p", { class: "role" }, fighter.side === "hero" ? "Hero" : "Villain"),
    createPicture(fighter.picture, `Picture of ${fighter.name}`, fighter.side, {
      level: String(fighter.level),
      powers: fighter.powers,
    }),
    h("h3", { id: titleId, class: "name" }, fighter.name),
    fighter.otherName.length > 0 && fighter.otherName !== fighter.name
      ? h("p", { class: "alias" }, fighter.otherName)
      : null,
    h("p", { class: "level" }, "Level ", h("strong", {}, formatCount(fighter.level))),
    renderPowers(fighter.powers),
    fighter.fallback ? fallbackBadge(fighter.side) : null,
  );
}

/** A card of the location of the fight. */
export function renderLocationCard(place: LocationView): HTMLElement {
  return h(
    "article",
    { class: "card location", "data-fallback": place.fallback, "aria-labelledby": "location-name" },
    h("p", { class: "role" }, place.type.length > 0 ? `Location · ${place.type}` : "Location"),
    createPicture(place.picture, `Picture of ${place.name}`, "location", { type: place.type.toUpperCase() }),
    h("h3", { id: "location-name", class: "name" }, place.name),
    h("p", { class: "description" }, place.description),
    place.fallback ? fallbackBadge("location") : null,
  );
}

/** Marks a card as the winner or the loser of the last fight (or clears the mark). */
export function markOutcome(card: HTMLElement, outcome: "winner" | "loser" | undefined): void {
  card.classList.toggle("winner", outcome === "winner");
  card.classList.toggle("loser", outcome === "loser");
  card.querySelector(".outcome")?.remove();
  if (outcome === "winner") card.prepend(h("p", { class: "outcome" }, "Winner"));
}

function renderPowers(powers: string): HTMLElement | null {
  const list = powers
    .split(",")
    .map((power) => power.trim())
    .filter((power) => power.length > 0);
  if (list.length === 0) return null;
  return h("ul", { class: "powers", "aria-label": "Powers" }, ...list.slice(0, 6).map((power) => h("li", {}, power)));
}

function fallbackBadge(kind: PictureKind): HTMLElement {
  return h(
    "p",
    { class: "fallback-badge" },
    h("strong", {}, "Fallback"),
    ` · the ${serviceOf[kind]} service did not answer`,
  );
}
