import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pickDistinctSlots, randomSlot, shuffle } from "./random-slots.js";

describe("pickDistinctSlots", () => {
  it("picks count distinct slots within 1..max", () => {
    const slots = pickDistinctSlots(100, 1_000_000);
    assert.equal(new Set(slots).size, 100);
    assert.ok(slots.every((slot) => Number.isInteger(slot) && slot >= 1 && slot <= 1_000_000));
  });

  it("returns every slot when count reaches the number of slots", () => {
    assert.deepEqual(pickDistinctSlots(10, 4), [1, 2, 3, 4]);
    assert.deepEqual(pickDistinctSlots(4, 4), [1, 2, 3, 4]);
  });

  it("never returns an excluded slot, and all the others when count covers them", () => {
    assert.deepEqual(pickDistinctSlots(5, 5, new Set([2, 4])), [1, 3, 5]);
    const slots = pickDistinctSlots(3, 10, new Set([1, 2, 3, 4, 5, 6]));
    assert.equal(new Set(slots).size, 3);
    assert.ok(slots.every((slot) => slot >= 7));
  });

  it("returns nothing from an empty range", () => assert.deepEqual(pickDistinctSlots(3, 0), []));

  it("is roughly uniform over slots", () => {
    const counts = new Array<number>(11).fill(0);
    for (let i = 0; i < 20_000; i++)
      for (const slot of pickDistinctSlots(2, 10)) counts[slot] = (counts[slot] ?? 0) + 1;
    // Each of 10 slots expects 4000 hits; ±10% is > 6 standard deviations.
    assert.ok(
      counts.slice(1).every((count) => count > 3600 && count < 4400),
      String(counts),
    );
  });
});

describe("randomSlot and shuffle", () => {
  it("maps the random source onto 1..max", () => {
    assert.deepEqual([randomSlot(10, () => 0), randomSlot(10, () => 0.999999)], [1, 10]);
  });

  it("shuffles in place keeping every element", () => {
    const items = [1, 2, 3, 4, 5];
    assert.deepEqual(shuffle(items).toSorted(), [1, 2, 3, 4, 5]);
  });
});
