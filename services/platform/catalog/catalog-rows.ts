import type { Generated } from "kysely";
import { fieldEntries, type CatalogInput, type CatalogItem, type CatalogSpec } from "./catalog-spec.js";

/** A value of a catalog column other than id and slot. */
export type ColumnValue = string | number;

/**
 * A catalog table as kysely sees it: `id` (serial), `slot` (dense 1..N, for uniform random
 * picks) and the spec's columns, which are only known at run time.
 */
export interface CatalogTable {
  id: Generated<number>;
  slot: number;
  [column: string]: ColumnValue | Generated<number>;
}

/** Any catalog database: tables by name. */
export type CatalogDatabase = Record<string, CatalogTable>;

/** A row as selected: id, slot and the spec's columns. */
export type CatalogRow = Record<string, unknown>;

/** The column values of an item, ready for insert or update. */
export type CatalogColumns = Record<string, ColumnValue>;

/** The domain item stored in `row`; the one place rows become items. */
export function itemFromRow<T extends CatalogItem>(spec: CatalogSpec<T>, row: CatalogRow): T {
  const item: Record<string, unknown> = { id: Number(row.id) };
  for (const [key, field] of fieldEntries(spec)) {
    const value = row[field.column];
    item[key as string] = field.type === "integer" ? Number(value) : String(value ?? "");
  }
  return item as T;
}

/** The column values of `input` (or of its `keys` only); the one place items become rows. */
export function columnsFromInput<T extends CatalogItem>(
  spec: CatalogSpec<T>,
  input: CatalogInput<T>,
  keys: ReadonlyArray<keyof CatalogInput<T>> = Object.keys(spec.fields) as Array<keyof CatalogInput<T>>,
): CatalogColumns {
  const columns: CatalogColumns = {};
  for (const key of keys) columns[spec.fields[key].column] = input[key] as ColumnValue;
  return columns;
}
