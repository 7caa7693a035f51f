import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Fighter, Fighters } from "../fight.js";
import { fallbackLocation } from "../fighters/upstream-policies.js";
import { decideFight } from "./fight-rules.js";

const fighter = (name: string, level: number): Fighter => ({ name, otherName: "", level, picture: "", powers: "" });
const fighters = (heroLevel: number, villainLevel: number): Fighters => ({
  hero: fighter("Hero", heroLevel),
  villain: fighter("Villain", villainLevel),
  location: fallbackLocation,
  heroFallback: false,
  villainFallback: true,
  locationFallback: true,
});
/** A random source that returns the given values in turn. */
const sequence =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

describe("decideFight", () => {
  const cases: { name: string; hero: number; villain: number; rolls: number[]; winner: string }[] = [
    { name: "hero wins when its level plus roll is higher", hero: 10, villain: 10, rolls: [0.5, 0.1], winner: "Hero" },
    {
      name: "villain wins when the hero's roll is not higher and the hero's level is lower",
      hero: 10,
      villain: 11,
      rolls: [0, 0],
      winner: "Villain",
    },
    {
      name: "equal totals and equal levels: a coin flip, heads for the hero",
      hero: 10,
      villain: 10,
      rolls: [0, 0, 0.4],
      winner: "Hero",
    },
    {
      name: "equal totals and equal levels: a coin flip, tails for the villain",
      hero: 10,
      villain: 10,
      rolls: [0, 0, 0.6],
      winner: "Villain",
    },
    {
      name: "a higher hero level that loses the roll-off still depends on the coin",
      hero: 12,
      villain: 10,
      rolls: [0, 0.15, 0.9],
      winner: "Villain",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = decideFight(fighters(c.hero, c.villain), sequence(...c.rolls), new Date(0));
      assert.equal(result.winner.name, c.winner);
      assert.equal(result.loser.name, c.winner === "Hero" ? "Villain" : "Hero");
    });
  }

  it("records teams, fallbacks and the location", () => {
    const result = decideFight(fighters(100, 1), sequence(0, 0), new Date(42));
    assert.deepEqual(result.winner, {
      name: "Hero",
      level: 100,
      powers: "",
      picture: "",
      team: "heroes",
      fallback: false,
    });
    assert.deepEqual(result.loser, {
      name: "Villain",
      level: 1,
      powers: "",
      picture: "",
      team: "villains",
      fallback: true,
    });
    assert.deepEqual(result.location, { ...fallbackLocation, fallback: true });
    assert.equal(result.fightTime.getTime(), 42);
  });
});
