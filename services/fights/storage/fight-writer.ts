import type { Fight, FightResult } from "../fight.js";
import type { FightsRepository } from "./fights-repository.js";

/** Options of `createFightWriter`. */
export interface FightWriterOptions {
  /** Most fights in one insert. */
  maxBatch: number;
}

/** Stores fights with group commit: concurrent writes share one transaction. */
export interface FightWriter {
  /** Resolves once the fights are committed, with their ids. */
  write(results: readonly FightResult[]): Promise<Fight[]>;
  stats(): { writes: number; transactions: number; fights: number };
}

interface PendingWrite {
  results: readonly FightResult[];
  resolve(fights: Fight[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit: the fights of one event-loop turn, and those that arrive while a transaction is
 * in flight, go into the next transaction (up to `maxBatch`). Under load that turns N
 * single-row inserts into a few multi-row ones; a lone fight waits one turn. Nothing resolves
 * before it is committed.
 */
export function createFightWriter(repository: FightsRepository, options: FightWriterOptions): FightWriter {
  let queue: PendingWrite[] = [];
  let flushing = false;
  const counters = { writes: 0, transactions: 0, fights: 0 };

  const flush = async () => {
    while (queue.length > 0) {
      const batch = takeBatch();
      const results = batch.flatMap((write) => write.results);
      counters.transactions += 1;
      counters.fights += results.length;
      try {
        const fights = await repository.insert(results);
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
  const takeBatch = () => {
    let size = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || size + queue[count]!.results.length <= options.maxBatch)) {
      size += queue[count]!.results.length;
      count += 1;
    }
    return queue.splice(0, count);
  };

  return {
    write(results) {
      counters.writes += 1;
      return new Promise((resolve, reject) => {
        queue.push({ results, resolve, reject });
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
