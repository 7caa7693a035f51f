import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { VillainService } from "../../gen/superheroes/villain/v1/villain_service_pb.js";
import { assertStatus, databaseVariants, type TestDatabase, testEnv } from "../../testkit/catalog/catalog-kit.js";
import { createEnvReader } from "../platform/config/env-reader.js";
import { createPromiseClient, type ServiceClient } from "../platform/calls/grpc-client.js";
import type { RunningService } from "../platform/server/service-process.js";
import { startVillains } from "./app.js";
import { serviceList } from "../service-list.js";

// The catalog logic is shared and covered in depth by the heroes suites; this suite checks the
// villains wiring: seeding, every RPC through the villain adapter, and villain field paths.
for (const variant of databaseVariants) {
  describe(`villains service on ${variant.name}`, () => {
    let database: TestDatabase;
    let service: RunningService;
    let client: ServiceClient<typeof VillainService>;
    before(async () => {
      database = await variant.open();
      service = await startVillains(
        serviceList.villains.readConfig(createEnvReader(testEnv("VILLAINS", database, { VILLAINS_SEED: "true" }))),
      );
      client = createPromiseClient(VillainService, `127.0.0.1:${service.grpcPort}`);
    });
    after(async () => {
      client.close();
      await service.stop();
      await database.close();
    });
    const villain = {
      name: "Doctor Test",
      otherName: "Dr. T",
      level: 66,
      picture: "https://example.com/t.png",
      powers: "Testing",
    };

    it("seeds the 110 villains of seed-villains.json into the empty table", async () => {
      const response = await client.methods.batchGetVillains({ ids: [1n, 110n, 111n] });
      assert.deepEqual([response.villains.map((v) => v.id), response.missingIds], [[1n, 110n], [111n]]);
      assert.equal((await client.methods.getRandomVillains({ count: 1000 })).villains.length, 110);
    });

    it("picks a random villain", async () =>
      assert.ok(((await client.methods.getRandomVillain({})).villain?.id ?? 0n) > 0n));

    it("creates, gets, updates, lists and deletes a villain", async () => {
      const created = (await client.methods.createVillain({ villain })).villain;
      assert.deepEqual({ ...created, id: 0n }, { ...created, ...villain, id: 0n });
      const id = created?.id ?? 0n;
      assert.deepEqual((await client.methods.getVillain({ id })).villain, created);
      const updated = (
        await client.methods.updateVillain({ villain: { id, level: 67 }, updateMask: { paths: ["level"] } })
      ).villain;
      assert.deepEqual(updated, { ...created, level: 67 });
      assert.deepEqual((await client.methods.listVillains({ nameFilter: "doctor test" })).villains, [updated]);
      await client.methods.deleteVillain({ id });
      await assertStatus(client.methods.getVillain({ id }), Status.NOT_FOUND, `villain ${id} not found`);
    });

    it("names villain fields in validation errors", () =>
      assertStatus(
        client.methods.createVillain({ villain: { ...villain, level: 0 } }),
        Status.INVALID_ARGUMENT,
        "villain.level: must be an integer from 1 to 2147483647, got 0",
      ));
  });
}
