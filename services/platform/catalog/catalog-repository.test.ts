import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { openDatabase, type Database } from "../database/database.js";
import { createLogger } from "../observability/logger.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { migrateCatalog } from "./catalog-migrations.js";
import { createCatalogRepository } from "./catalog-repository.js";
import type { CatalogDatabase } from "./catalog-rows.js";
import { appendItems, seedIfEmpty } from "./catalog-seed.js";
import { createFighterSpec } from "../../domain/fighter-catalog.js";

const spec = createFighterSpec({ singular: "hero", plural: "heroes" });
const fighter = (name: string) => ({ name, otherName: "", level: 1, picture: "", powers: "" });

// Two pools on one PostgreSQL database stand for two service instances starting at once.
describe("catalog repository on PostgreSQL with two instances", () => {
  let throwaway: ThrowawayDatabase;
  let first: Database<CatalogDatabase>;
  let second: Database<CatalogDatabase>;
  before(async () => {
    throwaway = await createThrowawayDatabase({ prefix: "catalog_test" });
    const logger = createLogger("test", "silent");
    [first, second] = await Promise.all(
      [0, 1].map(() => openDatabase<CatalogDatabase>({ url: throwaway.url, poolSize: 5, logger })),
    );
  });
  after(async () => {
    await Promise.all([first.close(), second.close()]);
    await throwaway.drop();
  });
  const slots = async () =>
    (await sql<{ slot: number }>`select slot from heroes order by slot`.execute(first.db)).rows.map((row) => row.slot);
  const dense = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

  it("migrates once when both start at once", async () => {
    await Promise.all([migrateCatalog(first.db, spec), migrateCatalog(second.db, spec)]);
    const { rows } = await sql<{ name: string }>`select name from heroes_migration`.execute(first.db);
    assert.deepEqual(
      rows.map((row) => row.name),
      ["heroes_0001_create"],
    );
  });

  it("seeds once when both seed an empty table at once", async () => {
    const items = Array.from({ length: 30 }, (_, index) => fighter(`Seeded ${index}`));
    const inserted = await Promise.all([seedIfEmpty(first.db, spec, items), seedIfEmpty(second.db, spec, items)]);
    assert.deepEqual(inserted.toSorted(), [0, 30]);
    assert.deepEqual(await slots(), dense(30));
  });

  it("keeps slots dense through concurrent creates, deletes and appends from both", async () => {
    const [a, b] = [createCatalogRepository(first.db, spec), createCatalogRepository(second.db, spec)];
    const ids = (await a.list({ afterId: 0, limit: 100, nameFilter: "" })).map((item) => item.id);
    await Promise.all([
      ...ids.slice(0, 12).map((id, index) => (index % 2 ? a : b).delete(id)),
      ...Array.from({ length: 10 }, (_, index) => (index % 2 ? b : a).create(fighter(`Created ${index}`))),
      appendItems(second.db, spec, [fighter("Appended 1"), fighter("Appended 2")]),
    ]);
    assert.deepEqual(await slots(), dense(30 - 12 + 10 + 2));
    assert.equal(await a.count(), 30);
  });

  it("picks only existing rows, each once per batch", async () => {
    const repository = createCatalogRepository(first.db, spec);
    const all = (await repository.list({ afterId: 0, limit: 100, nameFilter: "" })).map((item) => item.id).toSorted();
    const picked = (await repository.randomMany(1000)).map((item) => item.id);
    assert.deepEqual(picked.toSorted(), all);
    assert.ok(all.includes((await repository.randomOne())?.id ?? 0));
  });

  it("draws a batch from the catalog as it is now, after another instance grew or shrank it", async () => {
    const [a, b] = [createCatalogRepository(first.db, spec), createCatalogRepository(second.db, spec)];
    const ids = async () =>
      (await a.list({ afterId: 0, limit: 1000, nameFilter: "" })).map((item) => item.id).toSorted();
    const everything = async () => (await a.randomMany(1000)).map((item) => item.id).toSorted();
    assert.deepEqual(await everything(), await ids()); // `a` now knows N
    for (let index = 0; index < 5; index++) await b.create(fighter(`Grown ${index}`));
    assert.deepEqual(await everything(), await ids(), "rows created since the last pick are drawn");
    const [firstId, secondId] = await ids();
    await Promise.all([b.delete(firstId!), b.delete(secondId!)]);
    assert.deepEqual(await everything(), await ids(), "rows deleted since the last pick are not");
    const single = new Set<number>();
    for (let pick = 0; pick < 600; pick++) single.add((await a.randomMany(1))[0]!.id);
    assert.equal(single.size, (await ids()).length, "every row comes up in batches of one");
  });
});
