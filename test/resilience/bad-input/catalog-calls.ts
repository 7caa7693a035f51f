import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { LocationService, LocationType } from "../../../gen/superheroes/location/v1/location_service_pb.js";
import { VillainService } from "../../../gen/superheroes/villain/v1/villain_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../../../services/platform/calls/grpc-client.js";
import type { CatalogCalls } from "./catalog-cases.js";

/** CatalogCalls over a real service's port, with the client to close. */
export interface CatalogClient {
  calls: CatalogCalls;
  close(): void;
}

const fighter = (name: string) => ({ name, otherName: "", level: 10, picture: "", powers: "" });
const deadline = () => ({ deadline: Date.now() + 5000 });

/** Heroes. */
export function heroCalls(port: number): CatalogClient {
  const client: ServiceClient<typeof HeroService> = createPromiseClient(HeroService, `127.0.0.1:${port}`);
  const m = client.methods;
  return {
    close: () => client.close(),
    calls: {
      plural: "heroes",
      singular: "hero",
      getRandoms: (count) => m.getRandomHeroes({ count }, deadline()),
      get: (id) => m.getHero({ id }, deadline()),
      delete: (id) => m.deleteHero({ id }, deadline()),
      list: async (request) =>
        m
          .listHeroes(request, deadline())
          .then((r) => ({ names: r.heroes.map((h) => h.name), nextPageToken: r.nextPageToken })),
      create: async (name) =>
        m
          .createHero({ hero: fighter(name) }, deadline())
          .then((r) => ({ id: r.hero?.id ?? 0n, name: r.hero?.name ?? "" })),
    },
  };
}

/** Villains. */
export function villainCalls(port: number): CatalogClient {
  const client: ServiceClient<typeof VillainService> = createPromiseClient(VillainService, `127.0.0.1:${port}`);
  const m = client.methods;
  return {
    close: () => client.close(),
    calls: {
      plural: "villains",
      singular: "villain",
      getRandoms: (count) => m.getRandomVillains({ count }, deadline()),
      get: (id) => m.getVillain({ id }, deadline()),
      delete: (id) => m.deleteVillain({ id }, deadline()),
      list: async (request) =>
        m
          .listVillains(request, deadline())
          .then((r) => ({ names: r.villains.map((v) => v.name), nextPageToken: r.nextPageToken })),
      create: async (name) =>
        m
          .createVillain({ villain: fighter(name) }, deadline())
          .then((r) => ({ id: r.villain?.id ?? 0n, name: r.villain?.name ?? "" })),
    },
  };
}

/** Locations. */
export function locationCalls(port: number): CatalogClient {
  const client: ServiceClient<typeof LocationService> = createPromiseClient(LocationService, `127.0.0.1:${port}`);
  const m = client.methods;
  return {
    close: () => client.close(),
    calls: {
      plural: "locations",
      singular: "location",
      getRandoms: (count) => m.getRandomLocations({ count }, deadline()),
      get: (id) => m.getLocation({ id }, deadline()),
      delete: (id) => m.deleteLocation({ id }, deadline()),
      list: async (request) =>
        m
          .listLocations(request, deadline())
          .then((r) => ({ names: r.locations.map((l) => l.name), nextPageToken: r.nextPageToken })),
      create: async (name) =>
        m
          .createLocation({ location: { name, description: "", picture: "", type: LocationType.PLACE } }, deadline())
          .then((r) => ({ id: r.location?.id ?? 0n, name: r.location?.name ?? "" })),
    },
  };
}
