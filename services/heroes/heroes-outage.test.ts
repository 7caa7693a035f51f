import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Client, status as Status } from "@grpc/grpc-js";
import { HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import { assertStatus, testEnv } from "../../testkit/catalog/catalog-kit.js";
import { createEnvReader } from "../platform/config/env-reader.js";
import { createPromiseClient, isServiceError, type ServiceClient } from "../platform/calls/grpc-client.js";
import type { RunningService } from "../platform/server/service-process.js";
import { createTestClient } from "../../testkit/grpc/grpc-test-client.js";
import { checkHealth } from "../../testkit/grpc/health-client.js";
import { createThrowawayDatabase, defaultAdminUrl, runAdmin, type ThrowawayDatabase } from "../../testkit/postgres.js";
import { startTcpProxy, type TcpProxy } from "../../testkit/tcp-proxy.js";
import { waitFor } from "../../testkit/wait-for.js";
import { startHeroes } from "./app.js";
import { heroInput } from "../../testkit/catalog/heroes-setup.js";
import { serviceList } from "../service-list.js";

// PostgreSQL only: an embedded PGlite lives inside the process and cannot become unreachable.
describe("heroes service when PostgreSQL goes away and comes back", () => {
  let database: ThrowawayDatabase;
  let proxy: TcpProxy;
  let service: RunningService;
  let client: ServiceClient<typeof HeroService>;
  let healthClient: Client;
  let heroId: bigint;

  before(async () => {
    database = await createThrowawayDatabase({ prefix: "catalog_test" });
    proxy = await startTcpProxy("127.0.0.1", 5432);
    const url = new URL(database.url);
    url.port = String(proxy.port);
    // The service reaches PostgreSQL only through the proxy, which the test can cut.
    const env = testEnv("HEROES", {
      env: () => ({ HEROES_DATABASE_URL: url.toString() }),
      postgres: database,
      close: async () => {},
    });
    service = await startHeroes(serviceList.heroes.readConfig(createEnvReader(env)));
    client = createPromiseClient(HeroService, `127.0.0.1:${service.grpcPort}`);
    healthClient = createTestClient(service.grpcPort);
    heroId = (await client.methods.createHero({ hero: heroInput("Steady Hero") })).hero?.id ?? 0n;
  });
  after(async () => {
    client.close();
    healthClient.close();
    await service.stop();
    await proxy.close();
    await database.drop();
  });

  const health = () => checkHealth(healthClient, "superheroes.hero.v1.HeroService");

  it("is SERVING while the database answers", async () => {
    await waitFor("SERVING", async () => (await health()) === "SERVING");
  });

  it("answers UNAVAILABLE and turns NOT_SERVING when the database is unreachable", async () => {
    await proxy.cut();
    await assertStatus(client.methods.getHero({ id: heroId }), Status.UNAVAILABLE, "database unavailable; retry later");
    await assertStatus(client.methods.getRandomHero({}), Status.UNAVAILABLE, "database unavailable; retry later");
    await assertStatus(
      client.methods.createHero({ hero: heroInput("Lost Hero") }),
      Status.UNAVAILABLE,
      "database unavailable; retry later",
    );
    await waitFor("NOT_SERVING", async () => (await health()) === "NOT_SERVING");
  });

  it("recovers by itself when the database is back, with the data intact", async () => {
    await proxy.restore();
    await waitFor("SERVING again", async () => (await health()) === "SERVING");
    assert.equal((await client.methods.getHero({ id: heroId })).hero?.name, "Steady Hero");
    assert.equal((await client.methods.listHeroes({})).heroes.length, 1);
  });

  it("recovers when PostgreSQL terminates its connections, failing meanwhile only with UNAVAILABLE", async () => {
    const { rowCount } = await runAdmin(
      defaultAdminUrl,
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1",
      [database.name],
    );
    assert.ok((rowCount ?? 0) > 0, "the service held connections to terminate");
    const failures: unknown[] = [];
    await waitFor("a successful call", async () => {
      try {
        return (await client.methods.getHero({ id: heroId })).hero?.id === heroId;
      } catch (error: unknown) {
        failures.push(error);
        return false;
      }
    });
    assert.deepEqual(
      failures.map((error) => (isServiceError(error) ? [error.code, error.details] : [String(error)])),
      failures.map(() => [Status.UNAVAILABLE, "database unavailable; retry later"]),
    );
  });
});
