import { callEndedError, type CallContext } from "../platform/core/call-context.js";
import type { SpanTracer } from "../platform/core/span-tracer.js";
import { InvalidArgumentError, NotFoundError, UnavailableError } from "../platform/core/errors.js";
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
import type { FighterKind, FighterSource } from "./fighters/fighter-source.js";
import type { UpstreamMode } from "./config.js";
import type { FightsRepository, FightStats } from "./storage/fights-repository.js";

/** The timed stages of a fight (the `fights_stage_seconds` histogram). */
export type FightStage = "pick_heroes" | "pick_villains" | "pick_locations" | "rules" | "commit";

/** Dependencies of the fights service. */
export interface FightsServiceOptions {
  source: FighterSource;
  writer: FightWriter;
  repository: FightsRepository;
  /** Where WatchFights subscribes; fights reach it from the database (storage/fight-notices.ts). */
  feed: Pick<FightFeed, "subscribe">;
  upstreamMode: UpstreamMode;
  /** Told how many of each part were fallbacks (metrics). */
  onFallback?: (kind: "hero" | "villain" | "location", reason: unknown) => void;
  /** A short account of why an upstream pick failed, for messages (`upstream-fighters.ts`); default String. */
  describeFailure?: (reason: unknown) => string;
  /** Told how long each stage of a fight took, ms (metrics). */
  onStage?: (stage: FightStage, ms: number) => void;
  /** Set when tracing is on: a child span of the call's span per stage. */
  tracer?: SpanTracer;
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
  getFight(id: bigint): Promise<Fight>;
  listFights(pageSize: number, pageToken: string): Promise<FightPage>;
  /** Wins and top winners of fights between real fighters, and how many fights had a fallback fighter. */
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
    throwIfCallEnded(context, "before the fight was decided; nothing was stored");
    const rulesSpan = options.tracer?.startSpan("rules", context.trace, {
      attributes: { "fights.count": fighters.length },
    });
    const decidedAt = performance.now();
    const results = fighters.map((pair) => decideFight(pair, random));
    options.onStage?.("rules", performance.now() - decidedAt);
    rulesSpan?.end();
    // The writer asks once more, right before COMMIT (storage/fight-writer.ts). Watchers hear of
    // the fights from the database once committed (storage/fight-notices.ts), on every replica
    // alike: nothing is published from here.
    const fights = await timed(options, "commit", context, (stage) => writer.write(results, stage));
    options.onFought?.(fights, performance.now() - startedAt);
    return fights;
  };
  const pickFighters = (count: number, context: CallContext) => {
    // A call whose deadline has passed (`connect-timeout-ms: 0`) asks no upstream.
    throwIfCallEnded(context, "before any fighter was picked; nothing was stored");
    return randomFighters(options, count, context);
  };
  /** Fighters for a fight to be stored: at least one real fighter, and a caller still waiting. */
  const pickFightable = async (count: number, context: CallContext) => {
    const picked = await pickFighters(count, context);
    // Upstream calls cut short by the caller's deadline fell back: that is the caller's timeout, not an outage.
    throwIfCallEnded(context, "while the fighters were picked; nothing was stored");
    if (picked.reasons.heroes !== undefined && picked.reasons.villains !== undefined) {
      throw new UnavailableError(noRealFightersMessage(picked.reasons));
    }
    return picked.fighters;
  };
  return {
    randomFighters: async (context) => (await pickFighters(1, context)).fighters[0]!,
    async performFight(fighters, context) {
      validateFighters(fighters);
      if (fighters.heroFallback && fighters.villainFallback) {
        throw new InvalidArgumentError(
          "hero, villain",
          "both are the fallbacks (id 0 and the fallback names): a fight needs at least one real fighter; ask GetRandomFighters again once heroes or villains answers",
        );
      }
      return (await store([fighters], context))[0]!;
    },
    async performRandomFight(context) {
      const startedAt = performance.now();
      return (await store(await pickFightable(1, context), context, startedAt))[0]!;
    },
    async performRandomFights(count, context) {
      if (!Number.isInteger(count) || count < 1 || count > maxRandomFights) {
        throw new InvalidArgumentError("count", `must be 1 to ${maxRandomFights}, got ${count}`);
      }
      const startedAt = performance.now();
      return store(await pickFightable(count, context), context, startedAt);
    },
    async getFight(id) {
      if (id < 1n) throw new InvalidArgumentError("id", `must be a positive integer, got ${id}`);
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

/** Random fighters, and why each upstream that yielded its fallback did not answer. */
interface PickedFighters {
  fighters: Fighters[];
  reasons: Partial<Record<FighterKind, string>>;
}

/**
 * `count` sets of fighters from one pick per upstream (issued at once unless sequential mode).
 * An upstream that fails, times out, is open-circuited or has no rows yields its fallback.
 */
async function randomFighters(
  options: FightsServiceOptions,
  count: number,
  context: CallContext,
): Promise<PickedFighters> {
  const { source } = options;
  const picks =
    options.upstreamMode === "concurrent"
      ? await Promise.allSettled([
          timed(options, "pick_heroes", context, (stage) => source.heroes(count, stage)),
          timed(options, "pick_villains", context, (stage) => source.villains(count, stage)),
          timed(options, "pick_locations", context, (stage) => source.locations(count, stage)),
        ])
      : [
          await settle(timed(options, "pick_heroes", context, (stage) => source.heroes(count, stage))),
          await settle(timed(options, "pick_villains", context, (stage) => source.villains(count, stage))),
          await settle(timed(options, "pick_locations", context, (stage) => source.locations(count, stage))),
        ];
  const reasons: PickedFighters["reasons"] = {};
  const usable = <T>(result: PromiseSettledResult<unknown[]> | undefined, kind: FighterKind): T[] | undefined => {
    if (result?.status === "fulfilled" && result.value.length > 0) return result.value as T[];
    const reason = result?.status === "rejected" ? result.reason : new NotFoundError(`no ${kind} rows`);
    reasons[kind] = (options.describeFailure ?? String)(reason);
    options.onFallback?.(fallbackKinds[kind], reason);
    return undefined;
  };
  const [heroes, villains, locations] = [
    usable<Fighter>(picks[0], "heroes"),
    usable<Fighter>(picks[1], "villains"),
    usable<Place>(picks[2], "locations"),
  ];
  const fighters = Array.from({ length: count }, (_, index) => ({
    hero: heroes?.[index % heroes.length] ?? fallbackHero,
    villain: villains?.[index % villains.length] ?? fallbackVillain,
    location: locations?.[index % locations.length] ?? fallbackLocation,
    heroFallback: heroes === undefined,
    villainFallback: villains === undefined,
    locationFallback: locations === undefined,
  }));
  return { fighters, reasons };
}

const fallbackKinds = { heroes: "hero", villains: "villain", locations: "location" } as const;

/** The UNAVAILABLE message of a random fight with no real fighter: which data services did not answer, and how. */
function noRealFightersMessage(reasons: PickedFighters["reasons"]): string {
  return (
    `no real fighters: heroes and villains did not answer (heroes: ${reasons.heroes}; villains: ${reasons.villains}); ` +
    "no fight was staged between two fallbacks and nothing was stored; retry once one of them is back"
  );
}

function throwIfCallEnded(context: CallContext, doing: string): void {
  const ended = callEndedError(context, doing);
  if (ended !== undefined) throw ended;
}

/**
 * Runs one stage's `work`, its duration (from now until it settles) told to `onStage`. With
 * tracing on, the stage is a child span of the call's span, and `work` gets a context whose trace
 * is that span: the upstream calls it makes are the stage's children.
 */
function timed<T>(
  options: FightsServiceOptions,
  stage: FightStage,
  context: CallContext,
  work: (context: CallContext) => Promise<T>,
): Promise<T> {
  const { onStage, tracer } = options;
  if (tracer !== undefined) return traced(tracer, stage, context, work, onStage);
  if (onStage === undefined) return work(context);
  const startedAt = performance.now();
  return work(context).finally(() => onStage(stage, performance.now() - startedAt));
}

function traced<T>(
  tracer: SpanTracer,
  stage: FightStage,
  context: CallContext,
  work: (context: CallContext) => Promise<T>,
  onStage: FightsServiceOptions["onStage"],
): Promise<T> {
  const span = tracer.startSpan(stage, context.trace);
  const startedAt = performance.now();
  const finish = (error?: unknown) => {
    onStage?.(stage, performance.now() - startedAt);
    span.end(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) });
  };
  return work({ ...context, trace: span.context }).then(
    (value) => {
      finish();
      return value;
    },
    (error: unknown) => {
      finish(error ?? "failed");
      throw error;
    },
  );
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
