import type { Combatant, FightResult, Fighters } from "../fight.js";

/** A source of uniform numbers in [0, 1); Math.random by default, seeded in tests. */
export type RandomSource = () => number;

/**
 * Decides a fight with the reference rules: the hero wins if
 * `hero.level + rand[0,20) > villain.level + rand[0,20)`; otherwise the villain wins if
 * `hero.level < villain.level`; otherwise a coin flip decides.
 */
export function decideFight(fighters: Fighters, random: RandomSource = Math.random, now = new Date()): FightResult {
  const { hero, villain } = fighters;
  const heroRoll = hero.level + Math.floor(random() * 20);
  const villainRoll = villain.level + Math.floor(random() * 20);
  const heroWins = heroRoll > villainRoll ? true : hero.level < villain.level ? false : random() < 0.5;
  const heroSide: Combatant = { ...pick(hero), team: "heroes", fallback: fighters.heroFallback };
  const villainSide: Combatant = { ...pick(villain), team: "villains", fallback: fighters.villainFallback };
  return {
    fightTime: now,
    winner: heroWins ? heroSide : villainSide,
    loser: heroWins ? villainSide : heroSide,
    location: { ...fighters.location, fallback: fighters.locationFallback },
  };
}

function pick(fighter: Fighters["hero"]) {
  return { name: fighter.name, level: fighter.level, powers: fighter.powers, picture: fighter.picture };
}
