import {
  type Location as LocationMessage,
  LocationService,
  LocationType,
} from "../../gen/superheroes/location/v1/location_service_pb.js";
import type { CatalogInput } from "../platform/catalog/catalog-spec.js";
import type { CatalogService } from "../platform/catalog/catalog-service.js";
import { idToProto, maskPathsFromProto, required } from "../platform/catalog/catalog-messages.js";
import { registration, type ServiceRegistration } from "../platform/server/grpc-server.js";
import type { LocationKind, LocationRecord } from "../domain/location-fields.js";

/** The grpc-js registration of LocationService: proto messages in and out, logic in `locations`. */
export function createLocationRegistration(locations: CatalogService<LocationRecord>): ServiceRegistration {
  return registration(LocationService, {
    getRandomLocation: async () => ({ location: locationToProto(await locations.randomOne()) }),
    getRandomLocations: async (request) => ({
      locations: (await locations.randomMany(request.count)).map(locationToProto),
    }),
    getLocation: async (request) => ({ location: locationToProto(await locations.get(request.id)) }),
    async batchGetLocations(request) {
      const { items, missingIds } = await locations.batchGet(request.ids);
      return { locations: items.map(locationToProto), missingIds };
    },
    async listLocations(request) {
      const { items, nextPageToken } = await locations.list(request);
      return { locations: items.map(locationToProto), nextPageToken };
    },
    createLocation: async (request) => ({
      location: locationToProto(await locations.create(locationInputFromProto(required(request.location, "location")))),
    }),
    async updateLocation(request) {
      const location = required(request.location, "location");
      const updated = await locations.update(
        location.id,
        locationInputFromProto(location),
        maskPathsFromProto(request.updateMask),
      );
      return { location: locationToProto(updated) };
    },
    async deleteLocation(request) {
      await locations.delete(request.id);
      return {};
    },
  });
}

/** A domain location as a proto message init shape. */
export function locationToProto(location: LocationRecord) {
  return { ...location, id: idToProto(location.id), type: LocationType[location.type] };
}

/**
 * The domain input in a Location message. The enum becomes its short name (`PLANET`); values the
 * domain does not accept (UNSPECIFIED, unknown numbers) pass through for validation to name.
 */
export function locationInputFromProto(message: LocationMessage): CatalogInput<LocationRecord> {
  const { name, description, picture } = message;
  const type = (LocationType[message.type] ?? String(message.type)) as LocationKind;
  return { name, description, picture, type };
}
