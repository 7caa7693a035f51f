/**
 * What one catalog (heroes, villains, locations) is: its names and its fields. Everything else
 * (table, migrations, repository, service, seeding) is derived from a spec, so the three data
 * services share one implementation and differ only here.
 */

/** What every stored item has: a server-assigned id and a display name. */
export interface CatalogItem {
  /** Server-assigned, greater than 0. */
  id: number;
  name: string;
}

/** An item without its id: what create takes and what a seed file holds. */
export type CatalogInput<T extends CatalogItem> = Omit<T, "id">;

/** SQL type of a column; `text` maps to a JS string, `integer` to a JS number. */
export type ColumnType = "text" | "integer";

/** One field of an item and the column that stores it. */
export interface CatalogField<V> {
  /** Column name, also the proto field name and update-mask path (`other_name`). */
  column: string;
  type: ColumnType;
  /** What is wrong with `value` for a person to fix (`must be 3 to 50 characters, got 2`); undefined when fine. */
  check(value: V): string | undefined;
}

/** One field definition per property of the input, so none can be forgotten. */
export type CatalogFields<I> = { [K in keyof I]-?: CatalogField<I[K]> };

/** The description of one catalog. */
export interface CatalogSpec<T extends CatalogItem> {
  /** Singular noun: names field paths (`hero.name`) and messages (`hero 7 not found`). */
  singular: string;
  /** Plural noun: the table name and messages (`no heroes stored`). */
  plural: string;
  fields: CatalogFields<CatalogInput<T>>;
  /** Whether names are unique (a second create with the same name is ALREADY_EXISTS). */
  uniqueNames: boolean;
}

/** The domain keys of a spec's fields, in declaration order. */
export function fieldKeys<T extends CatalogItem>(spec: CatalogSpec<T>): Array<keyof CatalogInput<T>> {
  return Object.keys(spec.fields) as Array<keyof CatalogInput<T>>;
}

/** The field definitions of a spec, in declaration order, each with its domain key. */
export function fieldEntries<T extends CatalogItem>(
  spec: CatalogSpec<T>,
): Array<[keyof CatalogInput<T>, CatalogField<unknown>]> {
  return fieldKeys(spec).map((key) => [key, spec.fields[key] as CatalogField<unknown>]);
}
