import { CompiledQuery, type Kysely, sql } from "kysely";
import { AlreadyExistsError } from "../core/errors.js";
import { withDatabaseErrors } from "../database/database-errors.js";
import { lockCatalog } from "./catalog-migrations.js";
import {
  type CatalogColumns,
  type CatalogDatabase,
  type CatalogRow,
  itemFromRow,
  columnsFromInput,
} from "./catalog-rows.js";
import type { CatalogInput, CatalogItem, CatalogSpec } from "./catalog-spec.js";
import { pickDistinctSlots, shuffle } from "./random-slots.js";
import { preparedStatement } from "../database/prepared-statements.js";

/** One page of a listing in ascending id order. */
export interface ListQuery {
  /** Only ids greater than this; 0 for the first page. */
  afterId: number;
  /** At most this many items. */
  limit: number;
  /** Case-insensitive substring of the name; empty matches all. */
  nameFilter: string;
}

/**
 * Storage of one catalog. Every row has a dense `slot` 1..N (N = row count), kept dense under
 * the catalog's advisory lock: a create takes slot N+1, a delete moves the row in slot N into
 * the freed slot. A random pick is then a random slot looked up by index: the same cost at 1k
 * and 1M rows, uniform over existing rows however many ids deletions left unused.
 */
export interface CatalogRepository<T extends CatalogItem> {
  /** Number of rows (the highest slot). */
  count(): Promise<number>;
  /** One uniformly random item; undefined when there are none. */
  randomOne(): Promise<T | undefined>;
  /** `count` distinct uniformly random items in random order (all of them when fewer exist). */
  randomMany(count: number): Promise<T[]>;
  get(id: number): Promise<T | undefined>;
  /** The items with these ids that exist, in no particular order. */
  getMany(ids: readonly number[]): Promise<T[]>;
  list(query: ListQuery): Promise<T[]>;
  create(input: CatalogInput<T>): Promise<T>;
  /** Writes the given keys of `input`; undefined when there is no such id. */
  update(id: number, input: CatalogInput<T>, keys: ReadonlyArray<keyof CatalogInput<T>>): Promise<T | undefined>;
  /** Whether a row was deleted. */
  delete(id: number): Promise<boolean>;
}

/** A row of the batch pick: the snapshot's highest slot, then the row's columns (null: no slot matched). */
type SlotsRow = CatalogRow & { highest: number };

/** Attempts at a random pick while the catalog changes under it (rows vanish, or N moves since the last pick). */
const pickAttempts = 5;

/** The kysely repository of `spec`'s table. */
export function createCatalogRepository<T extends CatalogItem>(
  db: Kysely<CatalogDatabase>,
  spec: CatalogSpec<T>,
): CatalogRepository<T> {
  const table = spec.plural;
  const toItem = (row: CatalogRow) => itemFromRow(spec, row);
  // A batch pick in one round trip: the rows in the drawn slots and, read from the same snapshot,
  // the highest slot (a left join, so it comes back even when no slot matched). The text never
  // changes, so it is prepared like the single pick.
  const slotsText =
    sql`select s.highest, t.* from (select coalesce(max(slot), 0)::int as highest from ${sql.table(table)}) s left join ${sql.table(table)} t on t.slot = any(${[]}::int[])`.compile(
      db,
    ).sql;
  preparedStatement(`random_many_${table}`, slotsText);
  /** The highest slot the last pick saw (-1: none yet): the next batch draws its slots from it. */
  let knownHighest = -1;

  // One round trip: PostgreSQL evaluates the uncorrelated subquery once (an InitPlan), so this
  // is a max(slot) index probe plus one slot lookup. Compiled once: its text never changes.
  const randomOneQuery = db
    .selectFrom(table)
    .selectAll()
    .where("slot", "=", sql<number>`(select 1 + floor(random() * max(slot))::int from ${sql.table(table)})`)
    .compile();
  // The hottest query of a data service: prepared once per connection on PostgreSQL.
  preparedStatement(`random_${table}`, randomOneQuery.sql);

  return withDatabaseErrors<CatalogRepository<T>>(
    {
      count: () => highestSlot(db, table),
      async randomOne() {
        for (let attempt = 0; attempt < pickAttempts; attempt++) {
          const [row] = (await db.executeQuery(randomOneQuery)).rows;
          if (row !== undefined) return toItem(row);
          if ((await highestSlot(db, table)) === 0) return undefined;
        }
        // Only reachable under a storm of concurrent deletes; any row is still a fair answer.
        const row = await db.selectFrom(table).selectAll().limit(1).executeTakeFirst();
        return row === undefined ? undefined : toItem(row);
      },
      async randomMany(count) {
        if (count <= 0) return [];
        let rows: CatalogRow[] = [];
        for (let attempt = 0; attempt < pickAttempts; attempt++) {
          const drawnFrom = knownHighest;
          const slots = drawnFrom > 0 ? pickDistinctSlots(Math.min(count, drawnFrom), drawnFrom) : [];
          const answer = (await db.executeQuery<SlotsRow>(CompiledQuery.raw(slotsText, [slots]))).rows;
          knownHighest = Number(answer[0]?.highest ?? 0);
          rows = answer.filter((row) => row.id !== null);
          // Slots drawn from the snapshot's own 1..N are all there (slots are dense): a uniform
          // pick, complete. A catalog that grew or shrank since the last pick draws again from
          // its new N, so a stale N never biases a pick (one more round trip, only then).
          if (knownHighest === drawnFrom) break;
        }
        // Past the attempts (a storm of creates and deletes): the rows found are still a fair answer.
        return shuffle(rows.map(toItem));
      },
      async get(id) {
        const row = await db.selectFrom(table).selectAll().where("id", "=", id).executeTakeFirst();
        return row === undefined ? undefined : toItem(row);
      },
      async getMany(ids) {
        if (ids.length === 0) return [];
        const rows = await db
          .selectFrom(table)
          .selectAll()
          .where("id", "=", sql<number>`any(${[...ids]}::int[])`)
          .execute();
        return rows.map(toItem);
      },
      async list({ afterId, limit, nameFilter }) {
        let query = db.selectFrom(table).selectAll().where("id", ">", afterId).orderBy("id").limit(limit);
        if (nameFilter !== "") query = query.where(sql<boolean>`name ilike ${likePattern(nameFilter)} escape '\\'`);
        return (await query.execute()).map(toItem);
      },
      create: (input) =>
        db.transaction().execute(async (trx) => {
          await lockCatalog(trx, spec);
          const slot = (await highestSlot(trx, table)) + 1;
          const row = await trx
            .insertInto(table)
            .values({ ...columnsFromInput(spec, input), slot })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toItem(row);
        }),
      async update(id, input, keys) {
        const columns: CatalogColumns = columnsFromInput(spec, input, keys);
        if (Object.keys(columns).length === 0) return this.get(id);
        const row = await db.updateTable(table).set(columns).where("id", "=", id).returningAll().executeTakeFirst();
        return row === undefined ? undefined : toItem(row);
      },
      delete: (id) =>
        db.transaction().execute(async (trx) => {
          await lockCatalog(trx, spec);
          const highest = await highestSlot(trx, table);
          const deleted = await trx.deleteFrom(table).where("id", "=", id).returning("slot").executeTakeFirst();
          if (deleted === undefined) return false;
          // Keep slots dense: the row in the last slot moves into the hole.
          if (deleted.slot !== highest)
            await trx.updateTable(table).set({ slot: deleted.slot }).where("slot", "=", highest).execute();
          return true;
        }),
    },
    (error, method, args) => {
      // A taken unique name is the caller's problem, not the database's.
      const input = (method === "create" ? args[0] : method === "update" ? args[1] : undefined) as
        { name?: unknown } | undefined;
      if (!spec.uniqueNames || !isNameTaken(error) || typeof input?.name !== "string") return undefined;
      return new AlreadyExistsError(
        `${spec.singular}.name: a ${spec.singular} named "${input.name}" already exists; choose another name`,
      );
    },
  );
}

/** The highest slot, which is the row count while slots are dense; 0 for an empty table. */
export async function highestSlot(db: Kysely<CatalogDatabase>, table: string): Promise<number> {
  // max() over the unique slot index is one index probe, unlike count(*).
  const row = await db
    .selectFrom(table)
    .select(sql<number>`coalesce(max(slot), 0)::int`.as("highest"))
    .executeTakeFirstOrThrow();
  return Number(row.highest);
}

/** A LIKE pattern matching `text` anywhere, with `\`, `%` and `_` in it taken literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** A unique violation of the name column (constraint `<table>_name_key`). */
function isNameTaken(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === "23505" && typeof constraint === "string" && constraint.endsWith("_name_key");
}
