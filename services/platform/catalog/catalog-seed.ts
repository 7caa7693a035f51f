import { readFile } from "node:fs/promises";
import { type Kysely, sql } from "kysely";
import { lockCatalog } from "./catalog-migrations.js";
import { highestSlot } from "./catalog-repository.js";
import { type CatalogDatabase, columnsFromInput } from "./catalog-rows.js";
import { fieldEntries, type CatalogInput, type CatalogItem, type CatalogSpec } from "./catalog-spec.js";

/** Rows per insert statement when seeding; each statement sends one array per column. */
export const seedBatchSize = 5_000;

/**
 * Reads a seed file (a JSON array of items without ids) and checks every entry against the
 * spec, so bad seed data stops the service at start-up naming the entry and field.
 */
export async function readSeedFile<T extends CatalogItem>(
  spec: CatalogSpec<T>,
  file: URL,
): Promise<Array<CatalogInput<T>>> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${file.pathname}: must hold a JSON array of ${spec.plural}`);
  return parsed.map((entry: unknown, index) => seedItemFromJson(spec, entry, `${file.pathname}[${index}]`));
}

/** One seed entry, type-checked and validated; `where` prefixes error messages. */
export function seedItemFromJson<T extends CatalogItem>(
  spec: CatalogSpec<T>,
  entry: unknown,
  where: string,
): CatalogInput<T> {
  if (typeof entry !== "object" || entry === null) throw new Error(`${where}: must be an object`);
  const values = entry as Record<string, unknown>;
  const item: Record<string, unknown> = {};
  for (const [key, field] of fieldEntries(spec)) {
    const value = values[key as string];
    const typeOk = field.type === "integer" ? Number.isInteger(value) : typeof value === "string";
    if (!typeOk)
      throw new Error(`${where}.${String(key)}: must be ${field.type === "integer" ? "an integer" : "a string"}`);
    const problem = field.check(value);
    if (problem !== undefined) throw new Error(`${where}.${String(key)}: ${problem}`);
    item[key as string] = value;
  }
  return item as CatalogInput<T>;
}

/**
 * Inserts `items` only if the table is empty, holding the catalog's advisory lock while it
 * checks and inserts, so two instances starting at once seed once. Returns the rows inserted.
 */
export async function seedIfEmpty<T extends CatalogItem>(
  db: Kysely<CatalogDatabase>,
  spec: CatalogSpec<T>,
  items: ReadonlyArray<CatalogInput<T>>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockCatalog(trx, spec);
    if ((await highestSlot(trx, spec.plural)) > 0) return 0;
    for (let start = 0; start < items.length; start += seedBatchSize) {
      await insertBatch(trx, spec, items.slice(start, start + seedBatchSize), start + 1);
    }
    return items.length;
  });
}

/**
 * Appends `items` after the existing rows in one transaction under the catalog's lock; for bulk
 * loads call it with batches of a few thousand. Returns the slot of the last row inserted.
 */
export async function appendItems<T extends CatalogItem>(
  db: Kysely<CatalogDatabase>,
  spec: CatalogSpec<T>,
  items: ReadonlyArray<CatalogInput<T>>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockCatalog(trx, spec);
    const first = (await highestSlot(trx, spec.plural)) + 1;
    await insertBatch(trx, spec, items, first);
    return first + items.length - 1;
  });
}

/**
 * One `INSERT ... SELECT FROM unnest(...)` for many rows: a handful of array parameters instead
 * of one parameter per value, so statement size and planning stay flat as batches grow.
 */
async function insertBatch<T extends CatalogItem>(
  db: Kysely<CatalogDatabase>,
  spec: CatalogSpec<T>,
  items: ReadonlyArray<CatalogInput<T>>,
  firstSlot: number,
): Promise<void> {
  if (items.length === 0) return;
  const fields = fieldEntries(spec).map(([, field]) => field);
  const rows = items.map((item) => columnsFromInput(spec, item));
  const arrays = [
    sql`${items.map((_, index) => firstSlot + index)}::int[]`,
    ...fields.map((field) => sql`${rows.map((row) => row[field.column])}::${sql.raw(field.type)}[]`),
  ];
  const columns = [sql.ref("slot"), ...fields.map((field) => sql.ref(field.column))];
  await sql`insert into ${sql.table(spec.plural)} (${sql.join(columns)}) select * from unnest(${sql.join(arrays)})`.execute(
    db,
  );
}
