/** A source of uniform random numbers in [0, 1); `Math.random` unless a test passes its own. */
export type RandomSource = () => number;

/** A uniformly random integer in [1, max]. */
export function randomSlot(max: number, random: RandomSource = Math.random): number {
  return 1 + Math.floor(random() * max);
}

/**
 * `count` distinct slots chosen uniformly from [1, max] minus `excluded`, or every remaining slot
 * when fewer than `count` remain. Costs O(count) however large `max` is.
 */
export function pickDistinctSlots(
  count: number,
  max: number,
  excluded: ReadonlySet<number> = new Set(),
  random: RandomSource = Math.random,
): number[] {
  const excludedInRange = [...excluded].filter((slot) => slot >= 1 && slot <= max).length;
  const remaining = max - excludedInRange;
  if (count >= remaining) {
    const all: number[] = [];
    for (let slot = 1; slot <= max; slot++) if (!excluded.has(slot)) all.push(slot);
    return all;
  }
  // Rejection sampling: at least one slot in (count + excluded) / max is free, and when that is
  // tight `max` is at most count + excluded (≤ 2000 for our callers), so this stays cheap.
  const chosen = new Set<number>();
  while (chosen.size < count) {
    const slot = randomSlot(max, random);
    if (!excluded.has(slot)) chosen.add(slot);
  }
  return [...chosen];
}

/** Shuffles `items` in place (Fisher–Yates) and returns them. */
export function shuffle<T>(items: T[], random: RandomSource = Math.random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
