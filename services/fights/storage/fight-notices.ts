import type { Logger } from "../../platform/observability/logger.js";
import type { Database } from "../../platform/database/database.js";
import type { Fight } from "../fight.js";
import type { FightFeed } from "./fight-feed.js";
import type { FightsRepository } from "./fights-repository.js";
import { fightStoredChannel } from "./fights-table.js";

/** Options of `startFightNotices`. */
export interface FightNoticesOptions {
  database: Pick<Database<unknown>, "listen">;
  repository: Pick<FightsRepository, "getMany" | "listAfter" | "listNewestFirst">;
  /** Where the fights go: this replica's WatchFights streams. */
  feed: FightFeed;
  logger: Logger;
  /** Most fights loaded after a reconnect (those committed while the connection was down). */
  maxCatchUp: number;
}

/** The running listener. */
export interface FightNotices {
  stats(): { notices: number; published: number; reconnects: number; lost: number };
  close(): Promise<void>;
}

/**
 * The live feed across replicas: every committed fight, whichever replica stored it, reaches this
 * replica's watchers through the database's NOTIFY (storage/fights-table.ts: a trigger sends the
 * ids at commit, in commit order). Notices that arrive while rows are being loaded are loaded
 * together, and published in the order they were committed. With no watcher on this replica no
 * row is read. After a lost connection it publishes what was committed meanwhile (ids above the
 * highest it had heard of, up to `maxCatchUp`).
 */
export async function startFightNotices(options: FightNoticesOptions): Promise<FightNotices> {
  const { repository, feed, logger, maxCatchUp } = options;
  const counters = { notices: 0, published: 0, reconnects: 0, lost: 0 };
  let highestId = (await repository.listNewestFirst(1, undefined))[0]?.id ?? 0n;
  // Notices and catch-ups in the order they happened: a catch-up sits between the notices heard
  // before the connection was lost and those heard after it came back.
  const queue: Work[] = [];
  let caughtUp = new Set<bigint>();
  let running = false;

  const watched = () => feed.stats().subscribers > 0;
  const publish = (fights: Fight[]) => {
    counters.published += fights.length;
    feed.publish(fights);
  };
  const publishNotices = async (notices: bigint[][]) => {
    const ids = notices.flat().filter((id) => !caughtUp.has(id));
    if (ids.length === 0 || !watched()) return;
    try {
      const byId = new Map((await repository.getMany(ids)).map((fight) => [fight.id, fight]));
      publish(ids.flatMap((id) => byId.get(id) ?? []));
    } catch (error: unknown) {
      counters.lost += ids.length;
      logger.warn({ err: error, fights: ids.length }, "could not load committed fights for the live feed");
    }
  };
  const catchUp = async (afterId: bigint) => {
    if (!watched()) return;
    try {
      const fights = await repository.listAfter(afterId, maxCatchUp);
      caughtUp = new Set(fights.map((fight) => fight.id));
      for (const fight of fights) if (fight.id > highestId) highestId = fight.id;
      publish(fights);
      logger.info({ fights: fights.length, afterId: String(afterId) }, "live feed caught up after reconnecting");
    } catch (error: unknown) {
      logger.warn({ err: error }, "could not catch the live feed up after reconnecting");
    }
  };
  // One pass at a time, so fights are published in the order their notices came; the notices
  // that queued up meanwhile are loaded together.
  const drain = async () => {
    if (running) return;
    running = true;
    try {
      while (queue.length > 0) {
        const first = queue[0]!;
        if ("catchUpAfter" in first) {
          queue.shift();
          await catchUp(first.catchUpAfter);
          continue;
        }
        const end = queue.findIndex((work) => "catchUpAfter" in work);
        const notices = queue.splice(0, end === -1 ? queue.length : end) as Array<{ ids: bigint[] }>;
        await publishNotices(notices.map((notice) => notice.ids));
      }
    } finally {
      running = false;
    }
  };

  const listener = await options.database.listen({
    channel: fightStoredChannel,
    onNotification(payload) {
      const ids = idsFromPayload(payload);
      if (ids === undefined) {
        logger.warn(
          { payload: payload.slice(0, 100) },
          `ignored a ${fightStoredChannel} notice that is not a list of ids`,
        );
        return;
      }
      counters.notices += 1;
      for (const id of ids) if (id > highestId) highestId = id;
      queue.push({ ids });
      void drain();
    },
    onReconnected() {
      counters.reconnects += 1;
      queue.push({ catchUpAfter: highestId });
      void drain();
    },
  });
  return {
    stats: () => ({ ...counters }),
    close: () => listener.close(),
  };
}

type Work = { ids: bigint[] } | { catchUpAfter: bigint };

/** `"12,13,15"` → [12n, 13n, 15n]; undefined for anything else. */
export function idsFromPayload(payload: string): bigint[] | undefined {
  if (!/^[1-9][0-9]{0,18}(,[1-9][0-9]{0,18})*$/.test(payload)) return undefined;
  return payload.split(",").map((id) => BigInt(id));
}
