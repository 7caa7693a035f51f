import { VillainService } from "../../gen/superheroes/villain/v1/villain_service_pb.js";
import type { CatalogService } from "../platform/catalog/catalog-service.js";
import { fighterInputFromProto, fighterToProto, type FighterRecord } from "../domain/fighter-catalog.js";
import { idToProto, maskPathsFromProto, required } from "../platform/catalog/catalog-messages.js";
import { registration, type ServiceRegistration } from "../platform/server/grpc-server.js";

/** The registration of VillainService: proto messages in and out, logic in `villains`. */
export function createVillainRegistration(villains: CatalogService<FighterRecord>): ServiceRegistration {
  return registration(VillainService, {
    getRandomVillain: async () => ({ villain: fighterToProto(await villains.randomOne()) }),
    getRandomVillains: async (request) => ({
      villains: (await villains.randomMany(request.count)).map(fighterToProto),
    }),
    getVillain: async (request) => ({ villain: fighterToProto(await villains.get(request.id)) }),
    async batchGetVillains(request) {
      const { items, missingIds } = await villains.batchGet(request.ids);
      return { villains: items.map(fighterToProto), missingIds };
    },
    async listVillains(request) {
      const { items, nextPageToken } = await villains.list(request);
      return { villains: items.map(fighterToProto), nextPageToken };
    },
    createVillain: async (request) => ({
      villain: fighterToProto(await villains.create(fighterInputFromProto(required(request.villain, "villain")))),
    }),
    async updateVillain(request) {
      const villain = required(request.villain, "villain");
      const updated = await villains.update(
        villain.id,
        fighterInputFromProto(villain),
        maskPathsFromProto(request.updateMask),
      );
      return { villain: fighterToProto(updated) };
    },
    async deleteVillain(request) {
      await villains.delete(request.id);
      return {};
    },
  });
}
