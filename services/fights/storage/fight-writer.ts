import { callEndedError, type CallContext } from "../../platform/core/call-context.js";
import { remainingMs } from "../../platform/core/deadline.js";
import { DeadlineExceededError } from "../../platform/core/errors.js";
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
  stats(): {
    writes: number;
    transactions: number;
    fights: number;
    abandoned: number;
    rolledBack: number;
    lateCommits: number;
  };
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
 * Deadline honesty, decided at commit time: a write is stored only while its caller waits and
 * has more time left than a COMMIT round trip takes (rolling mean): one that falls short is left
 * out of the batch with DEADLINE_EXCEEDED; right before COMMIT every caller of the batch is asked
 * again, and if one falls short now the transaction is rolled back and the others go into the
 * next one. So a stored fight is one its caller was still waiting for when it was committed;
 * a COMMIT slower than usual is the one window left, counted as `lateCommits`.
 */
export function createFightWriter(repository: FightsRepository, options: FightWriterOptions): FightWriter {
  let queue: PendingWrite[] = [];
  let flushing = false;
  const counters = { writes: 0, transactions: 0, fights: 0, abandoned: 0, rolledBack: 0, lateCommits: 0 };
  /** Rolling mean of the COMMIT round trip (from the last check to the insert's answer), ms. */
  let commitMs = 0;

  /** Why `write` cannot be committed for now, or undefined when it can. */
  const unfit = (write: PendingWrite, now = Date.now()) => {
    const ended = callEndedError(write.caller, doing, now);
    if (ended !== undefined) return ended;
    const leftMs = remainingMs(write.caller.deadline, now);
    if (leftMs > commitMs) return undefined;
    return new DeadlineExceededError(
      `the caller's deadline would pass during the commit (${leftMs} ms left, a commit takes ${commitMs.toFixed(1)} ms); nothing was stored`,
    );
  };
  /** Rejects `write` when it cannot be committed; true when it did. */
  const abandon = (write: PendingWrite) => {
    const error = unfit(write);
    if (error === undefined) return false;
    counters.abandoned += 1;
    write.reject(error);
    return true;
  };
  const flush = async () => {
    while (queue.length > 0) {
      const batch = takeBatch();
      if (batch.length === 0) continue;
      const results = batch.flatMap((write) => write.results);
      counters.transactions += 1;
      try {
        let checkedAt = 0;
        const fights = await repository.insert(results, () => {
          checkedAt = performance.now();
          return batch.every((write) => unfit(write) === undefined);
        });
        if (fights === undefined) {
          counters.rolledBack += 1;
          queue = [...batch.filter((write) => !abandon(write)), ...queue];
          continue;
        }
        commitMs += 0.2 * (performance.now() - checkedAt - commitMs);
        counters.fights += results.length;
        let offset = 0;
        for (const write of batch) {
          // Committed, so acknowledged; but a caller whose deadline passed during a slow COMMIT has
          // already been told DEADLINE_EXCEEDED by its transport: counted, the one window left.
          if (callEndedError(write.caller, doing) !== undefined) counters.lateCommits += 1;
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
