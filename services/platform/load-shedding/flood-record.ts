/** Calls refused and admitted over the last second, and whether that is a flood. */
export interface FloodRecord {
  refused(nowMs: number): void;
  admitted(nowMs: number): void;
  /**
   * Refusals outnumber admissions by `refusalsPerAdmission` or more over the last second, and
   * there were at least `minRefusals`: callers that resend at once, not a server near its
   * capacity that turns a few calls away.
   */
  isFlood(nowMs: number): boolean;
}

/** Options of `createFloodRecord`. */
export interface FloodRecordOptions {
  /** Default 1: at least as many refused as let in. */
  refusalsPerAdmission?: number;
  /** Default 20 in the last second. */
  minRefusals?: number;
}

/**
 * How long a flood is remembered after it was last seen, ms: the stream allowance keeps
 * connections held, and the adaptive limit's baseline learns nothing, until then. A flood near
 * the threshold (as many refused as let in) would otherwise go in and out, and every entry resets
 * streams (the flood test: 14–16 % of its calls reset with 1 s, 10–12 % with 3 s).
 */
export const floodMemoryMs = 3_000;

const bucketMs = 100;
const bucketCount = 10;

/**
 * Counts in ten 100 ms buckets, each reused when its slot comes round again: constant memory and
 * two increments a call, whatever the rate.
 */
export function createFloodRecord(options: FloodRecordOptions = {}): FloodRecord {
  const refusalsPerAdmission = options.refusalsPerAdmission ?? 1;
  const minRefusals = options.minRefusals ?? 20;
  const buckets = Array.from({ length: bucketCount }, () => ({ slot: -1, refused: 0, admitted: 0 }));
  const bucketAt = (nowMs: number) => {
    const slot = Math.floor(nowMs / bucketMs);
    const bucket = buckets[slot % bucketCount]!;
    if (bucket.slot !== slot) Object.assign(bucket, { slot, refused: 0, admitted: 0 });
    return bucket;
  };
  return {
    refused: (nowMs) => void (bucketAt(nowMs).refused += 1),
    admitted: (nowMs) => void (bucketAt(nowMs).admitted += 1),
    isFlood(nowMs) {
      const oldest = Math.floor(nowMs / bucketMs) - bucketCount + 1;
      let refused = 0;
      let admitted = 0;
      for (const bucket of buckets) {
        if (bucket.slot < oldest) continue;
        refused += bucket.refused;
        admitted += bucket.admitted;
      }
      return refused >= minRefusals && refused >= refusalsPerAdmission * admitted;
    },
  };
}
