import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { LocationService, LocationType } from "../../gen/superheroes/location/v1/location_service_pb.js";
import {
  assertStatus,
  collectPages,
  databaseVariants,
  type TestDatabase,
  testEnv,
} from "../../testkit/catalog/catalog-kit.js";
import { createEnvReader } from "../platform/config/env-reader.js";
import { createPromiseClient, type ServiceClient } from "../platform/calls/grpc-client.js";
import type { RunningService } from "../platform/server/service-process.js";
import { startLocations } from "./app.js";
import { serviceList } from "../service-list.js";

const types = "PLANET, CITY, PLACE, ISLAND, COUNTRY, MOON";

// Shared catalog behaviour is covered by the heroes suites; here: seeding with all six types,
// every RPC through the location adapter, the type enum and unique names.
for (const variant of databaseVariants) {
  describe(`locations service on ${variant.name}`, () => {
    let database: TestDatabase;
    let service: RunningService;
    let client: ServiceClient<typeof LocationService>;
    before(async () => {
      database = await variant.open();
      service = await startLocations(
        serviceList.locations.readConfig(createEnvReader(testEnv("LOCATIONS", database, { LOCATIONS_SEED: "true" }))),
      );
      client = createPromiseClient(LocationService, `127.0.0.1:${service.grpcPort}`);
    });
    after(async () => {
      client.close();
      await service.stop();
      await database.close();
    });
    const location = {
      name: "Test Harbour",
      description: "Where tests dock.",
      picture: "/pictures/locations/harbour.svg",
      type: LocationType.PLACE,
    };
    const listAll = async () =>
      (
        await collectPages((pageToken) =>
          client.methods
            .listLocations({ pageSize: 10, pageToken })
            .then(({ locations, nextPageToken }) => ({ items: locations, nextPageToken })),
        )
      ).flat();

    it("seeds the locations of seed-locations.json, all six types, listed in id order", async () => {
      const all = await listAll();
      assert.equal(all.length, 36);
      assert.deepEqual(
        all.map((l) => l.id),
        all.map((_, index) => BigInt(index + 1)),
      );
      assert.deepEqual(new Set(all.map((l) => LocationType[l.type])), new Set(types.split(", ")));
    });

    it("picks random locations, distinct in a batch", async () => {
      assert.ok(((await client.methods.getRandomLocation({})).location?.id ?? 0n) > 0n);
      const ids = (await client.methods.getRandomLocations({ count: 10 })).locations.map((l) => l.id);
      assert.equal(new Set(ids).size, 10);
    });

    it("creates, gets, batch-gets, updates and deletes a location", async () => {
      const created = (await client.methods.createLocation({ location })).location;
      assert.deepEqual({ ...created, id: 0n }, { ...created, ...location, id: 0n });
      const id = created?.id ?? 0n;
      assert.deepEqual((await client.methods.getLocation({ id })).location, created);
      assert.deepEqual((await client.methods.batchGetLocations({ ids: [id, 99_999n] })).missingIds, [99_999n]);
      const updated = (
        await client.methods.updateLocation({
          location: { id, type: LocationType.ISLAND },
          updateMask: { paths: ["type"] },
        })
      ).location;
      assert.deepEqual(updated, { ...created, type: LocationType.ISLAND });
      await client.methods.deleteLocation({ id });
      await assertStatus(client.methods.getLocation({ id }), Status.NOT_FOUND, `location ${id} not found`);
    });

    it("refuses a location without a type", () =>
      assertStatus(
        client.methods.createLocation({ location: { ...location, type: LocationType.UNSPECIFIED } }),
        Status.INVALID_ARGUMENT,
        `location.type: must be one of ${types}, got "UNSPECIFIED"`,
      ));

    it("refuses an unknown type number", () =>
      assertStatus(
        client.methods.createLocation({ location: { ...location, type: 42 as LocationType } }),
        Status.INVALID_ARGUMENT,
        `location.type: must be one of ${types}, got "42"`,
      ));

    it("refuses a description of 2001 characters", () =>
      assertStatus(
        client.methods.createLocation({ location: { ...location, description: "d".repeat(2001) } }),
        Status.INVALID_ARGUMENT,
        "location.description: must be at most 2000 characters, got 2001",
      ));

    it("answers ALREADY_EXISTS for a taken name, on create and on update", async () => {
      const [first, second] = await listAll();
      const taken = `location.name: a location named "${first?.name}" already exists; choose another name`;
      await assertStatus(
        client.methods.createLocation({ location: { ...location, name: first?.name ?? "" } }),
        Status.ALREADY_EXISTS,
        taken,
      );
      await assertStatus(
        client.methods.updateLocation({
          location: { id: second?.id ?? 0n, name: first?.name ?? "" },
          updateMask: { paths: ["name"] },
        }),
        Status.ALREADY_EXISTS,
        taken,
      );
      assert.deepEqual((await client.methods.getLocation({ id: second?.id ?? 0n })).location, second);
    });

    it("lets exactly one of 8 concurrent creates of one name succeed", async () => {
      const before = (await listAll()).length;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          client.methods.createLocation({ location: { ...location, name: "Contested Hill" } }),
        ),
      );
      assert.deepEqual(results.map((r) => r.status).toSorted(), ["fulfilled", ...Array(7).fill("rejected")]);
      assert.equal((await listAll()).length, before + 1);
    });
  });
}
