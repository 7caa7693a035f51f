import { Team, type Fight, type Fighters } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BackendStatus } from "../backend-status.js";
import { h, replace } from "../dom.js";
import { describeError } from "../errors.js";
import { unaryCall, type FightClient } from "../fight-client.js";
import { markOutcome, renderFighterCard, renderLocationCard } from "./fighter-card.js";
import { fightersViewFromMessage } from "./views.js";

/** Options of `createArena`. */
export interface ArenaOptions {
  client: FightClient;
  status: BackendStatus;
  /** Called with every fight this page performed (the page refreshes the scores). */
  onFight(fight: Fight): void;
}

/** The arena: current fighters and location, "New fighters", "Fight!" and the result. */
export interface Arena {
  /** Asks GetRandomFighters for a new hero, villain and location. */
  newFighters(): Promise<void>;
}

/** Renders the arena into `root` (below its heading). */
export function createArena(root: HTMLElement, options: ArenaOptions): Arena {
  const newButton = h("button", { type: "button", class: "button secondary" }, "New fighters");
  const fightButton = h("button", { type: "button", class: "button primary" }, "Fight!");
  const stage = h("div", { class: "stage", "aria-busy": "true" }, h("p", { class: "muted" }, "Picking fighters…"));
  const result = h("div", { class: "result", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  root.append(h("div", { class: "actions" }, newButton, fightButton), stage, result);
  let fighters: Fighters | undefined;

  const busy = async (task: () => Promise<void>) => {
    newButton.disabled = fightButton.disabled = true;
    stage.setAttribute("aria-busy", "true");
    try {
      await task();
    } finally {
      newButton.disabled = fightButton.disabled = false;
      stage.setAttribute("aria-busy", "false");
    }
  };
  const newFighters = async () => {
    try {
      const response = await options.client.getRandomFighters({}, unaryCall);
      options.status.reached();
      fighters = response.fighters;
      if (fighters === undefined) throw new Error("the answer had no fighters");
      const view = fightersViewFromMessage(fighters);
      replace(
        stage,
        renderFighterCard(view.hero),
        h(
          "div",
          { class: "versus" },
          h("p", { class: "vs", "aria-hidden": "true" }, "VS"),
          renderLocationCard(view.location),
        ),
        renderFighterCard(view.villain),
      );
      const note = fallbackNote(fighters);
      showMessage(
        result,
        note.length > 0 ? note : "Press Fight! to decide who wins.",
        note.length > 0 ? "note" : "hint",
      );
    } catch (error) {
      options.status.failed(error);
      showMessage(result, `Could not get new fighters: ${describeError(error)}.`, "error");
    }
  };
  const fight = async () => {
    if (fighters === undefined) await newFighters();
    if (fighters === undefined) return;
    if (fighters.heroFallback && fighters.villainFallback) {
      // The server refuses it too (PerformFight: INVALID_ARGUMENT): two placeholders are no fight.
      showMessage(result, noRealFighters, "error");
      return;
    }
    try {
      const { hero, villain, location } = fighters;
      const response = await options.client.performFight({ hero, villain, location }, unaryCall);
      options.status.reached();
      if (response.fight === undefined) throw new Error("the answer had no fight");
      showResult(stage, result, response.fight, fighters);
      options.onFight(response.fight);
    } catch (error) {
      options.status.failed(error);
      showMessage(result, `The fight did not happen: ${describeError(error)}.`, "error");
    }
  };
  newButton.addEventListener("click", () => void busy(newFighters));
  fightButton.addEventListener("click", () => void busy(fight));
  return { newFighters: () => busy(newFighters) };
}

function showResult(stage: HTMLElement, result: HTMLElement, fight: Fight, fighters: Fighters): void {
  const heroWon = fight.winner?.team === Team.HEROES;
  for (const card of stage.querySelectorAll<HTMLElement>(".fighter")) {
    const isHero = card.dataset["side"] === "hero";
    markOutcome(card, isHero === heroWon ? "winner" : "loser");
  }
  const winnerFallback =
    (fight.winner?.fallback ?? false) || (heroWon ? fighters.heroFallback : fighters.villainFallback);
  const loserFallback =
    (fight.loser?.fallback ?? false) || (heroWon ? fighters.villainFallback : fighters.heroFallback);
  const placeFallback = (fight.location?.fallback ?? false) || fighters.locationFallback;
  replace(
    result,
    h(
      "p",
      { class: `outcome-line ${heroWon ? "hero" : "villain"}` },
      h("strong", { class: "winner-name" }, fight.winner?.name ?? "Nobody"),
      winnerFallback ? fallbackTag() : null,
      ` wins for the ${heroWon ? "heroes" : "villains"} against ${fight.loser?.name ?? "nobody"}`,
      loserFallback ? fallbackTag() : null,
      ` at ${fight.location?.name ?? "an unknown place"}`,
      placeFallback ? fallbackTag() : null,
      ".",
    ),
  );
  result.dataset["kind"] = "result";
}

function fallbackTag(): HTMLElement {
  return h("span", { class: "tag fallback" }, "fallback");
}

function showMessage(result: HTMLElement, text: string, kind: "hint" | "note" | "error"): void {
  replace(result, h("p", {}, text));
  result.dataset["kind"] = kind;
}

const noRealFighters =
  "No fight: the heroes and villains services both did not answer, so there are no real fighters. Press New fighters once one of them is back.";

function fallbackNote(fighters: Fighters): string {
  if (fighters.heroFallback && fighters.villainFallback) return noRealFighters;
  const missing = [
    fighters.heroFallback && "heroes",
    fighters.villainFallback && "villains",
    fighters.locationFallback && "locations",
  ].filter((name) => name !== false);
  if (missing.length === 0) return "";
  return `The ${missing.join(" and ")} service${missing.length > 1 ? "s" : ""} did not answer: fallbacks fight instead.`;
}
