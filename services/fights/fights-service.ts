import type { CallContext } from "../platform/core/call-context.js";
import { CancelledError, InvalidArgumentError, NotFoundError } from "../platform/core/errors.js";
import { decodePageToken, encodePageToken } from "../platform/core/page-token.js";
import type { CatalogField } from "../platform/catalog/catalog-spec.js";
import { fieldProblem } from "../platform/catalog/field-checks.js";
import { fighterFields } from "../domain/fighter-catalog.js";
import { locationFields } from "../domain/location-fields.js";
import { fallbackHero, fallbackLocation, fallbackVillain } from "./fighters/upstream-policies.js";
import { type Fight, type Fighter, type Fighters, type Place } from "./fight.js";
import type { FightFeed } from "./storage/fight-feed.js";
import { decideFight, type RandomSource } from "./rules/fight-rules.js";
import type { FightWriter } from "./storage/fight-writer.js";
import type { FighterSource } from "./fighters/fighter-source.js";
import type { UpstreamMode } from "./config.js";
import type { FightsRepository, FightStats } from "./storage/fights-repository.js";

/** The timed stages of a fight (the `fights_stage_seconds` histogram). */
export type FightStage = "pick_heroes" | "pick_villains" | "pick_locations" | "rules" | "commit";

/** Dependencies of the fights service. */
export interface FightsServiceOptions {
  source: FighterSource;
  writer: FightWriter;
  repository: FightsRepository;
  feed: FightFeed;
  upstreamMode: UpstreamMode;
  /** Told how many of each part were fallbacks (metrics). */
  onFallback?: (kind: "hero" | "villain" | "location", reason: unknown) => void;
  /** Told how long each stage of a fight took, ms (metrics). */
  onStage?: (stage: FightStage, ms: number) => void;
  /** Told of fights just stored and how long their call took, from its start to stored, ms (live charts). */
  onFought?: (fights: readonly Fight[], ms: number) => void;
  random?: RandomSource;
}

/** A page of fights, newest first. */
export interface FightPage {
  fights: Fight[];
  nextPageToken: string;
}

/** The protocol-free fights service: every transport adapter calls these. */
export interface FightsService {
  randomFighters(context: CallContext): Promise<Fighters>;
  performFight(fighters: Fighters, context: CallContext): Promise<Fight>;
  performRandomFight(context: CallContext): Promise<Fight>;
  performRandomFights(count: number, context: CallContext): Promise<Fight[]>;
  getFight(id: number): Promise<Fight>;
  listFights(pageSize: number, pageToken: string): Promise<FightPage>;
  stats(): Promise<FightStats & { heroWinRatio: number }>;
  watch(signal: AbortSignal): AsyncIterable<Fight>;
}

export const maxRandomFights = 1000;
export const maxPageSize = 100;
export const defaultPageSize = 20;

/** Creates the fights service. */
export function createFightsService(options: FightsServiceOptions): FightsService {
  const { writer, repository, feed, random = Math.random } = options;
  const store = async (fighters: Fighters[], context: CallContext, startedAt = performance.now()) => {
    if (context.signal.aborted) throw new CancelledError("the caller went away before the fight was stored");
    const decidedAt = performance.now();
    const results = fighters.map((pair) => decideFight(pair, random));
    options.onStage?.("rules", performance.now() - decidedAt);
    const fights = await timed(options, "commit", writer.write(results));
    feed.publish(fights);
    options.onFought?.(fights, performance.now() - startedAt);
    return fights;
  };
  const pickFighters = (count: number, context: CallContext) => randomFighters(options, count, context);
  return {
    randomFighters: async (context) => (await pickFighters(1, context))[0]!,
    async performFight(fighters, context) {
      validateFighters(fighters);
      return (await store([fighters], context))[0]!;
    },
    async performRandomFight(context) {
      const startedAt = performance.now();
      return (await store(await pickFighters(1, context), context, startedAt))[0]!;
    },
    async performRandomFights(count, context) {
      if (!Number.isInteger(count) || count < 1 || count > maxRandomFights) {
        throw new InvalidArgumentError("count", `must be 1 to ${maxRandomFights}, got ${count}`);
      }
      const startedAt = performance.now();
      return store(await pickFighters(count, context), context, startedAt);
    },
    async getFight(id) {
      if (!Number.isSafeInteger(id) || id < 1)
        throw new InvalidArgumentError("id", `must be a positive integer, got ${id}`);
      const fight = await repository.get(id);
      if (fight === undefined) throw new NotFoundError(`no fight with id ${id}`);
      return fight;
    },
    async listFights(pageSize, pageToken) {
      if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > maxPageSize) {
        throw new InvalidArgumentError(
          "page_size",
          `must be 0 to ${maxPageSize} (0 means ${defaultPageSize}), got ${pageSize}`,
        );
      }
      const limit = pageSize === 0 ? defaultPageSize : pageSize;
      const rows = await repository.listNewestFirst(limit + 1, decodePageToken(pageToken));
      const fights = rows.slice(0, limit);
      return { fights, nextPageToken: rows.length > limit ? encodePageToken(fights.at(-1)!.id) : "" };
    },
    async stats() {
      const stats = await repository.stats(10);
      const total = stats.heroWins + stats.villainWins;
      return { ...stats, heroWinRatio: total === 0 ? 0 : stats.heroWins / total };
    },
    watch: (signal) => feed.subscribe(signal),
  };
}

/**
 * `count` sets of fighters from one pick per upstream (issued at once unless sequential mode).
 * An upstream that fails, times out, is open-circuited or has no rows yields its fallback.
 */
async function randomFighters(options: FightsServiceOptions, count: number, context: CallContext): Promise<Fighters[]> {
  const { source } = options;
  const picks =
    options.upstreamMode === "concurrent"
      ? await Promise.allSettled([
          timed(options, "pick_heroes", source.heroes(count, context)),
          timed(options, "pick_villains", source.villains(count, context)),
          timed(options, "pick_locations", source.locations(count, context)),
        ])
      : [
          await settle(timed(options, "pick_heroes", source.heroes(count, context))),
          await settle(timed(options, "pick_villains", source.villains(count, context))),
          await settle(timed(options, "pick_locations", source.locations(count, context))),
        ];
  const [heroes, villains, locations] = [
    usable<Fighter>(picks[0], "hero", options),
    usable<Fighter>(picks[1], "villain", options),
    usable<Place>(picks[2], "location", options),
  ];
  return Array.from({ length: count }, (_, index) => ({
    hero: heroes?.[index % heroes.length] ?? fallbackHero,
    villain: villains?.[index % villains.length] ?? fallbackVillain,
    location: locations?.[index % locations.length] ?? fallbackLocation,
    heroFallback: heroes === undefined,
    villainFallback: villains === undefined,
    locationFallback: locations === undefined,
  }));
}

function usable<T>(
  result: PromiseSettledResult<unknown[]> | undefined,
  kind: "hero" | "villain" | "location",
  options: FightsServiceOptions,
): T[] | undefined {
  if (result?.status === "fulfilled" && result.value.length > 0) return result.value as T[];
  options.onFallback?.(kind, result?.status === "rejected" ? result.reason : new NotFoundError(`no ${kind} rows`));
  return undefined;
}

/** `work`, its duration (from now until it settles) told to `onStage`. */
function timed<T>(options: FightsServiceOptions, stage: FightStage, work: Promise<T>): Promise<T> {
  const { onStage } = options;
  if (onStage === undefined) return work;
  const startedAt = performance.now();
  return work.finally(() => onStage(stage, performance.now() - startedAt));
}

function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
}

/**
 * Fighters given by a client are checked by the rules the data services check theirs with
 * (domain/): a fight is stored in a batch with others (group commit), so a value the database
 * would refuse must never get that far — it would fail the whole batch.
 */
function validateFighters(fighters: Fighters): void {
  validateFields("hero", fighterFields, fighters.hero);
  validateFields("villain", fighterFields, fighters.villain);
  const { type: _kind, ...location } = fighters.location;
  const { type: _rule, ...locationRules } = locationFields;
  validateFields("location", locationRules, location);
}

function validateFields<I>(prefix: string, fields: { [K in keyof I]: CatalogField<I[K]> }, input: I): void {
  for (const key of Object.keys(fields) as Array<keyof I>) {
    const field = fields[key];
    const problem = fieldProblem(field.check, input[key]);
    if (problem !== undefined) throw new InvalidArgumentError(`${prefix}.${field.column}`, problem);
  }
}
