import { type Kysely, type Migration, Migrator, sql } from "kysely";
import type { CatalogDatabase } from "./catalog-rows.js";
import { fieldEntries, type CatalogItem, type CatalogSpec } from "./catalog-spec.js";

/**
 * The schema of a catalog as kysely migrations. Names carry the table so several catalogs can
 * share one database, each with its own migration table.
 */
export function catalogMigrations<T extends CatalogItem>(spec: CatalogSpec<T>): Record<string, Migration> {
  const table = spec.plural;
  return {
    [`${table}_0001_create`]: {
      async up(db: Kysely<unknown>) {
        let create = db.schema
          .createTable(table)
          .addColumn("id", "integer", (column) => column.primaryKey().generatedByDefaultAsIdentity())
          // Dense 1..N position used by random picks; see catalog-repository.ts.
          .addColumn("slot", "integer", (column) => column.notNull().unique());
        for (const [, field] of fieldEntries(spec)) {
          const unique = field.column === "name" && spec.uniqueNames;
          create = create.addColumn(field.column, field.type, (column) =>
            unique ? column.notNull().unique() : column.notNull(),
          );
        }
        await create.execute();
      },
    },
  };
}

/**
 * Brings the catalog's schema up to date. kysely's Postgres adapter holds an advisory lock for
 * the whole run, so two instances starting at once migrate once.
 */
export async function migrateCatalog<T extends CatalogItem>(
  db: Kysely<CatalogDatabase>,
  spec: CatalogSpec<T>,
): Promise<void> {
  const migrations = catalogMigrations(spec);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: `${spec.plural}_migration`,
    migrationLockTableName: `${spec.plural}_migration_lock`,
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
}

/** Holds the catalog's advisory transaction lock until `trx` ends: slot changes and seeding take it. */
export async function lockCatalog<T extends CatalogItem>(
  trx: Kysely<CatalogDatabase>,
  spec: CatalogSpec<T>,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`catalog:${spec.plural}`}))`.execute(trx);
}
