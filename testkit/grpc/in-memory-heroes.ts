import { create } from "@bufbuild/protobuf";
import { type Hero, HeroSchema, type HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import type { CallContext } from "../../services/platform/core/call-context.js";
import { InvalidArgumentError, NotFoundError } from "../../services/platform/core/errors.js";
import type { ServiceImplementation } from "../../services/platform/core/service-implementation.js";

/** Options of `createInMemoryHeroes`. */
export interface InMemoryHeroesOptions {
  /**
   * Awaited at the start of every method before it answers: lets a test hold calls in flight
   * (see `createGate`). Absent: methods answer at once.
   */
  hold?: (method: string, context: CallContext) => Promise<void>;
}

/** The heroes every in-memory store starts with. */
export const fixtureHeroes: readonly Hero[] = Object.freeze([
  create(HeroSchema, {
    id: 1n,
    name: "Chewbacca",
    otherName: "Chewie",
    level: 5,
    picture: "chewbacca.png",
    powers: "Agility, Longevity",
  }),
  create(HeroSchema, {
    id: 2n,
    name: "Yoda",
    otherName: "Master Yoda",
    level: 30,
    picture: "yoda.png",
    powers: "Force",
  }),
]);

/**
 * A tiny HeroService kept in a Map: the service under test for platform tests and the
 * fixture process. Not a reference for the real heroes service (no paging tokens, no SQL).
 */
export function createInMemoryHeroes(options: InMemoryHeroesOptions = {}): ServiceImplementation<typeof HeroService> {
  const heroes = new Map(fixtureHeroes.map((hero) => [hero.id, hero]));
  let nextId = 3n;
  const hold = options.hold ?? (async () => {});
  const find = (id: bigint): Hero => {
    const hero = heroes.get(id);
    if (hero === undefined) throw new NotFoundError(`hero ${id} not found`);
    return hero;
  };
  return {
    async getRandomHero(_request, context) {
      await hold("getRandomHero", context);
      const [hero] = heroes.values();
      if (hero === undefined) throw new NotFoundError("there are no heroes");
      return { hero };
    },
    async getRandomHeroes(request, context) {
      await hold("getRandomHeroes", context);
      if (request.count < 1 || request.count > 1000) throw new InvalidArgumentError("count", "must be from 1 to 1000");
      return { heroes: [...heroes.values()].slice(0, request.count) };
    },
    async getHero(request, context) {
      await hold("getHero", context);
      return { hero: find(request.id) };
    },
    async batchGetHeroes(request, context) {
      await hold("batchGetHeroes", context);
      return {
        heroes: request.ids.flatMap((id) => heroes.get(id) ?? []),
        missingIds: request.ids.filter((id) => !heroes.has(id)),
      };
    },
    async listHeroes(request, context) {
      await hold("listHeroes", context);
      return {
        heroes: [...heroes.values()].filter((hero) => hero.name.includes(request.nameFilter)),
        nextPageToken: "",
      };
    },
    async createHero(request, context) {
      await hold("createHero", context);
      if (request.hero === undefined || request.hero.name === "")
        throw new InvalidArgumentError("hero.name", "must not be empty");
      const hero = create(HeroSchema, { ...request.hero, id: nextId++ });
      heroes.set(hero.id, hero);
      return { hero };
    },
    async updateHero(request, context) {
      await hold("updateHero", context);
      if (request.hero === undefined) throw new InvalidArgumentError("hero", "must be set");
      find(request.hero.id);
      heroes.set(request.hero.id, request.hero);
      return { hero: request.hero };
    },
    async deleteHero(request, context) {
      await hold("deleteHero", context);
      find(request.id);
      heroes.delete(request.id);
      return {};
    },
  };
}
