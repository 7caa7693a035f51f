import { callEndedError, type CallContext } from "../../platform/core/call-context.js";
import type { Fight, FightResult } from "../fight.js";
import type { FightsRepository } from "./fights-repository.js";

/** Options of `createFightWriter`. */
export interface FightWriterOptions {
  /** Most fights in one insert. */
  maxBatch: number;
}

/** The caller a write is for: its fights are stored only while it still waits for them. */
export type WriteCaller = Pick<CallContext, "signal" | "deadline">;

/** Stores fights with group commit: concurrent writes share one transaction. */
export interface FightWriter {
  /**
   * Resolves once the fights are committed, with their ids. Rejects with DeadlineExceededError or
   * CancelledError, and stores nothing, when `caller` has gone by the time its transaction commits.
   */
  write(results: readonly FightResult[], caller: WriteCaller): Promise<Fight[]>;
  stats(): { writes: number; transactions: number; fights: number; abandoned: number; rolledBack: number };
}

interface PendingWrite {
  results: readonly FightResult[];
  caller: WriteCaller;
  resolve(fights: Fight[]): void;
  reject(error: unknown): void;
}

const doing = "before the fight was committed; nothing was stored";

/**
 * Group commit: the fights of one event-loop turn, and those that arrive while a transaction is
 * in flight, go into the next transaction (up to `maxBatch`). Under load that turns N
 * single-row inserts into a few multi-row ones; a lone fight waits one turn. Nothing resolves
 * before it is committed.
 *
 * Deadline honesty, decided at commit time: a write whose caller has gone (deadline passed,
 * cancelled) is left out of the batch; right before COMMIT every caller of the batch is asked
 * again, and if one has gone meanwhile the transaction is rolled back and the others go into the
 * next one. So a stored fight is one its caller was still waiting for when it was committed
 * (the COMMIT round trip itself is the one window left).
 */
export function createFightWriter(repository: FightsRepository, options: FightWriterOptions): FightWriter {
  let queue: PendingWrite[] = [];
  let flushing = false;
  const counters = { writes: 0, transactions: 0, fights: 0, abandoned: 0, rolledBack: 0 };

  /** Rejects `write` when its caller has gone; true when it did. */
  const abandon = (write: PendingWrite) => {
    const ended = callEndedError(write.caller, doing);
    if (ended === undefined) return false;
    counters.abandoned += 1;
    write.reject(ended);
    return true;
  };
  const flush = async () => {
    while (queue.length > 0) {
      const batch = takeBatch();
      if (batch.length === 0) continue;
      const results = batch.flatMap((write) => write.results);
      counters.transactions += 1;
      try {
        const fights = await repository.insert(results, () =>
          batch.every((write) => callEndedError(write.caller, doing) === undefined),
        );
        if (fights === undefined) {
          counters.rolledBack += 1;
          queue = [...batch.filter((write) => !abandon(write)), ...queue];
          continue;
        }
        counters.fights += results.length;
        let offset = 0;
        for (const write of batch) {
          write.resolve(fights.slice(offset, offset + write.results.length));
          offset += write.results.length;
        }
      } catch (error: unknown) {
        batch.forEach((write) => write.reject(error));
      }
    }
    flushing = false;
  };
  /** The next writes whose callers still wait, up to `maxBatch` fights; the others are rejected. */
  const takeBatch = () => {
    const batch: PendingWrite[] = [];
    let size = 0;
    while (queue.length > 0) {
      const next = queue[0]!;
      if (batch.length > 0 && size + next.results.length > options.maxBatch) break;
      queue.shift();
      if (abandon(next)) continue;
      batch.push(next);
      size += next.results.length;
    }
    return batch;
  };

  return {
    write(results, caller) {
      counters.writes += 1;
      return new Promise((resolve, reject) => {
        queue.push({ results, caller, resolve, reject });
        if (flushing) return;
        flushing = true;
        // Start on the next turn: fights whose requests arrived in this I/O phase join the
        // batch. Flushing at once gave every fight its own transaction with PGlite, whose
        // queries run in WASM on this thread without yielding to new requests.
        setImmediate(() => void flush());
      });
    },
    stats: () => ({ ...counters }),
  };
}
