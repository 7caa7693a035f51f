import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { assertStatus, collectPages, databaseVariants } from "../../testkit/catalog/catalog-kit.js";
import { invalidHeroCases } from "../../testkit/catalog/heroes-invalid-cases.js";
import { type HeroesUnderTest, heroInput, startHeroesUnderTest } from "../../testkit/catalog/heroes-setup.js";

for (const variant of databaseVariants) {
  describe(`heroes service on ${variant.name}`, () => {
    let heroes: HeroesUnderTest;
    before(async () => (heroes = await startHeroesUnderTest(variant)));
    after(() => heroes.stop());
    const allIds = async () =>
      (
        await collectPages((pageToken) =>
          heroes.client
            .listHeroes({ pageSize: 100, pageToken })
            .then(({ heroes: items, nextPageToken }) => ({ items, nextPageToken })),
        )
      )
        .flat()
        .map((hero) => hero.id);

    describe("on an empty table", () => {
      it("answers GetRandomHero with NOT_FOUND", () =>
        assertStatus(heroes.client.getRandomHero({}), Status.NOT_FOUND, "no heroes stored; create one first"));
      it("answers GetRandomHeroes with no heroes", async () =>
        assert.deepEqual((await heroes.client.getRandomHeroes({ count: 5 })).heroes, []));
      it("lists nothing and no next page", async () => {
        const page = await heroes.client.listHeroes({});
        assert.deepEqual([page.heroes, page.nextPageToken], [[], ""]);
      });
      it("reports every id of BatchGetHeroes missing", async () =>
        assert.deepEqual((await heroes.client.batchGetHeroes({ ids: [1n, 2n] })).missingIds, [1n, 2n]));
      it("answers GetHero, UpdateHero and DeleteHero with NOT_FOUND", async () => {
        await assertStatus(heroes.client.getHero({ id: 1n }), Status.NOT_FOUND, "hero 1 not found");
        await assertStatus(
          heroes.client.updateHero({ hero: { id: 1n, ...heroInput("Nobody") } }),
          Status.NOT_FOUND,
          "hero 1 not found",
        );
        await assertStatus(heroes.client.deleteHero({ id: 1n }), Status.NOT_FOUND, "hero 1 not found");
      });
    });

    describe("refusing bad input", () => {
      let existing: Awaited<ReturnType<typeof heroes.client.createHero>>["hero"];
      before(async () => ({ hero: existing } = await heroes.client.createHero({ hero: heroInput("Unchanging", 3) })));
      for (const invalid of invalidHeroCases) {
        it(`refuses ${invalid.what}`, () =>
          assertStatus(invalid.call(heroes.client, existing?.id ?? 0n), invalid.code, invalid.details));
      }
      it("leaves the stored heroes as they were", async () => {
        assert.deepEqual(await allIds(), [existing?.id]);
        assert.deepEqual((await heroes.client.getHero({ id: existing?.id ?? 0n })).hero, existing);
      });
    });

    describe("with heroes", () => {
      it("creates a hero and returns it with its id", async () => {
        const { hero } = await heroes.client.createHero({ hero: { id: 999n, ...heroInput("Captain Test", 42) } });
        assert.ok(hero !== undefined && hero.id > 0n && hero.id !== 999n);
        assert.deepEqual((await heroes.client.getHero({ id: hero.id })).hero, hero);
        assert.deepEqual({ ...hero, id: 0n }, { ...hero, id: 0n, ...heroInput("Captain Test", 42) });
      });

      it("gives each of 40 concurrent creates its own id", async () => {
        const before = (await allIds()).length;
        const created = await Promise.all(
          Array.from({ length: 40 }, (_, i) => heroes.client.createHero({ hero: heroInput(`Concurrent ${i}`) })),
        );
        const ids = created.map(({ hero }) => hero?.id);
        assert.equal(new Set(ids).size, 40);
        assert.equal((await allIds()).length, before + 40);
      });

      it("pages through all rows in id order with no duplicates or gaps", async () => {
        const expected = (await allIds()).toSorted((a, b) => (a < b ? -1 : 1));
        const pages = await collectPages((pageToken) =>
          heroes.client
            .listHeroes({ pageSize: 7, pageToken })
            .then(({ heroes: items, nextPageToken }) => ({ items, nextPageToken })),
        );
        assert.deepEqual(
          pages.flat().map((hero) => hero.id),
          expected,
        );
        assert.deepEqual(
          pages.map((page) => page.length),
          [...Array(Math.floor(expected.length / 7)).fill(7), ...(expected.length % 7 ? [expected.length % 7] : [])],
        );
      });

      it("uses 20 heroes per page when page_size is 0", async () =>
        assert.equal((await heroes.client.listHeroes({ pageSize: 0 })).heroes.length, 20));

      it("filters names case-insensitively, taking % and _ literally, across pages", async () => {
        for (const name of ["Percent%Man", "Under_Score", "UnderXScore", "percent%woman", "100 Percent"])
          await heroes.client.createHero({ hero: heroInput(name) });
        const names = async (nameFilter: string) =>
          (
            await collectPages((pageToken) =>
              heroes.client
                .listHeroes({ pageSize: 1, pageToken, nameFilter })
                .then(({ heroes: items, nextPageToken }) => ({ items, nextPageToken })),
            )
          )
            .flat()
            .map((hero) => hero.name);
        assert.deepEqual(await names("PERCENT%"), ["Percent%Man", "percent%woman"]);
        assert.deepEqual(await names("r_s"), ["Under_Score"]);
        assert.deepEqual(await names("zzz"), []);
      });

      it("batch-gets in request order, once per id, reporting missing ids", async () => {
        const [first, second] = await allIds();
        assert.ok(first !== undefined && second !== undefined);
        const response = await heroes.client.batchGetHeroes({ ids: [second, 123456n, first, second, 9_000_000_000n] });
        assert.deepEqual(
          response.heroes.map((hero) => hero.id),
          [second, first],
        );
        assert.deepEqual(response.missingIds, [123456n, 9_000_000_000n]);
      });

      it("updates only the fields in the mask, or all when it is empty", async () => {
        const { hero } = await heroes.client.createHero({ hero: heroInput("Before Update", 5) });
        assert.ok(hero !== undefined);
        const masked = await heroes.client.updateHero({
          hero: { id: hero.id, name: "After Update", level: 0 },
          updateMask: { paths: ["name"] },
        });
        assert.deepEqual(masked.hero, { ...hero, name: "After Update" });
        const whole = await heroes.client.updateHero({ hero: { id: hero.id, ...heroInput("Whole Update", 7) } });
        assert.deepEqual(whole.hero, { ...hero, ...heroInput("Whole Update", 7) });
        assert.deepEqual((await heroes.client.getHero({ id: hero.id })).hero, whole.hero);
      });

      it("deletes a hero, which is then not found", async () => {
        const { hero } = await heroes.client.createHero({ hero: heroInput("Short Lived") });
        assert.ok(hero !== undefined);
        const count = (await allIds()).length;
        await heroes.client.deleteHero({ id: hero.id });
        await assertStatus(heroes.client.getHero({ id: hero.id }), Status.NOT_FOUND, `hero ${hero.id} not found`);
        await assertStatus(heroes.client.deleteHero({ id: hero.id }), Status.NOT_FOUND, `hero ${hero.id} not found`);
        assert.equal((await allIds()).length, count - 1);
      });

      it("picks random heroes only among existing rows, all of them over many picks, after deletions", async () => {
        const ids = await allIds();
        // Concurrent deletes: each moves the last slot into its hole under the catalog lock.
        await Promise.all(ids.slice(0, ids.length - 10).map((id) => heroes.client.deleteHero({ id })));
        const remaining = new Set(await allIds());
        assert.equal(remaining.size, 10);
        const picked = new Set<bigint>();
        for (let i = 0; i < 150; i++) picked.add((await heroes.client.getRandomHero({})).hero?.id ?? 0n);
        assert.deepEqual([...picked].toSorted(), [...remaining].toSorted());
      });

      it("picks distinct heroes in a batch, and all of them when count exceeds the rows", async () => {
        const remaining = (await allIds()).toSorted();
        const some = (await heroes.client.getRandomHeroes({ count: 4 })).heroes.map((hero) => hero.id);
        assert.equal(new Set(some).size, 4);
        assert.ok(some.every((id) => remaining.includes(id)));
        const all = (await heroes.client.getRandomHeroes({ count: 1000 })).heroes.map((hero) => hero.id);
        assert.deepEqual(all.toSorted(), remaining);
      });
    });
  });
}
