import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertStatus } from "../../../testkit/catalog/catalog-kit.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import type { ServiceName } from "../../../services/service-list.js";
import { launchService, type ServiceProcess } from "../../../testkit/processes/service-processes.js";
import { type CatalogClient, heroCalls, locationCalls, villainCalls } from "./catalog-calls.js";
import { refusedCatalogCases, verbatimNames } from "./catalog-cases.js";

const services: { name: ServiceName; prefix: string; connect: (port: number) => CatalogClient }[] = [
  { name: "heroes", prefix: "HEROES", connect: heroCalls },
  { name: "villains", prefix: "VILLAINS", connect: villainCalls },
  { name: "locations", prefix: "LOCATIONS", connect: locationCalls },
];

for (const { name, prefix, connect } of services) {
  describe(`${name} process: bad input beyond the service's own table`, { timeout: 60_000 }, () => {
    let database: ThrowawayDatabase;
    let service: ServiceProcess;
    let client: CatalogClient;
    before(
      async () => {
        database = await createThrowawayDatabase({ prefix: "resilience" });
        service = await launchService(name, {
          env: { [`${prefix}_DATABASE_URL`]: database.url, [`${prefix}_SEED`]: "false" },
        });
        client = connect(service.grpcPort);
      },
      { timeout: 45_000 },
    );
    after(async () => {
      client?.close();
      await service?.kill();
      await database?.drop();
    });

    for (const refused of refusedCatalogCases) {
      it(`refuses ${refused.what}`, () =>
        assertStatus(refused.call(client.calls), refused.code, refused.details(client.calls)));
    }

    it("stores names with SQL metacharacters, quotes, wildcards and unicode verbatim, and finds them by filter", async (t) => {
      for (const stored of verbatimNames) {
        const created = await client.calls.create(stored);
        assert.equal(created.name, stored);
        assert.deepEqual(
          await client.calls
            .get(created.id)
            .then((item) => (item as Record<string, { name?: string }>)[client.calls.singular]?.name),
          stored,
        );
        assert.deepEqual(
          (await client.calls.list({ nameFilter: [...stored].slice(0, 12).join(""), pageSize: 100 })).names,
          [stored],
        );
      }
      assert.deepEqual(
        (await client.calls.list({ nameFilter: "'", pageSize: 100 })).names.toSorted(),
        [verbatimNames[0], verbatimNames[2]].toSorted(),
      );
      assert.deepEqual((await client.calls.list({ nameFilter: "%", pageSize: 100 })).names, [verbatimNames[1]]);
      assert.deepEqual((await client.calls.list({ nameFilter: "\\", pageSize: 100 })).names, [verbatimNames[1]]);
      t.diagnostic(
        recordOutcome({
          group: "bad input",
          what: `${name}: ${refusedCatalogCases.length} extra bad-input rows, ${verbatimNames.length} hostile names`,
          outcome:
            "each refused with the documented code and message; hostile names stored and filtered verbatim (% _ \\ ' are literals)",
        }),
      );
    });
  });
}
