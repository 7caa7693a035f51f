import { HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import type { CatalogService } from "../platform/catalog/catalog-service.js";
import { fighterInputFromProto, fighterToProto, type FighterRecord } from "../domain/fighter-catalog.js";
import { idToProto, maskPathsFromProto, required } from "../platform/catalog/catalog-messages.js";
import { registration, type ServiceRegistration } from "../platform/server/grpc-server.js";

/** The registration of HeroService: proto messages in and out, logic in `heroes`. */
export function createHeroRegistration(heroes: CatalogService<FighterRecord>): ServiceRegistration {
  return registration(HeroService, {
    getRandomHero: async () => ({ hero: fighterToProto(await heroes.randomOne()) }),
    getRandomHeroes: async (request) => ({ heroes: (await heroes.randomMany(request.count)).map(fighterToProto) }),
    getHero: async (request) => ({ hero: fighterToProto(await heroes.get(request.id)) }),
    async batchGetHeroes(request) {
      const { items, missingIds } = await heroes.batchGet(request.ids);
      return { heroes: items.map(fighterToProto), missingIds };
    },
    async listHeroes(request) {
      const { items, nextPageToken } = await heroes.list(request);
      return { heroes: items.map(fighterToProto), nextPageToken };
    },
    createHero: async (request) => ({
      hero: fighterToProto(await heroes.create(fighterInputFromProto(required(request.hero, "hero")))),
    }),
    async updateHero(request) {
      const hero = required(request.hero, "hero");
      const updated = await heroes.update(hero.id, fighterInputFromProto(hero), maskPathsFromProto(request.updateMask));
      return { hero: fighterToProto(updated) };
    },
    async deleteHero(request) {
      await heroes.delete(request.id);
      return {};
    },
  });
}
