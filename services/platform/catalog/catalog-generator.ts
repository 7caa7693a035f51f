import type { Kysely } from "kysely";
import type { CatalogDatabase } from "./catalog-rows.js";
import { appendItems } from "./catalog-seed.js";
import type { CatalogInput, CatalogItem, CatalogSpec } from "./catalog-spec.js";

/** Progress of a bulk load, reported after each batch. */
export interface GenerateProgress {
  inserted: number;
  total: number;
  elapsedMs: number;
}

/** Options of `generateItems`. */
export interface GenerateOptions<T extends CatalogItem> {
  db: Kysely<CatalogDatabase>;
  spec: CatalogSpec<T>;
  /** Real items the generated ones are variations of (cycled through). */
  templates: ReadonlyArray<CatalogInput<T>>;
  /** How many items to append. */
  count: number;
  /** Rows per insert statement (and transaction); default 10 000. */
  batchSize?: number;
  onProgress?: (progress: GenerateProgress) => void;
}

/** Longest generated name; the specs allow 50 characters. */
const maxNameLength = 50;

/**
 * Appends `count` generated items for scale tests: copies of the templates whose names get a
 * suffix unique to this run (`Ulvara #k3x9-1234`, so unique-name catalogs accept them), inserted
 * in batches with one `unnest` insert each. Returns the rows inserted.
 */
export async function generateItems<T extends CatalogItem>(options: GenerateOptions<T>): Promise<number> {
  const { db, spec, templates, count, onProgress } = options;
  if (templates.length === 0) throw new Error(`no template ${spec.plural} to generate from`);
  const batchSize = options.batchSize ?? 10_000;
  const runTag = Date.now().toString(36).slice(-5);
  const started = performance.now();
  let inserted = 0;
  while (inserted < count) {
    const size = Math.min(batchSize, count - inserted);
    const batch = Array.from({ length: size }, (_, offset) => {
      const index = inserted + offset;
      const template = templates[index % templates.length] as CatalogInput<T>;
      const suffix = ` #${runTag}-${index + 1}`;
      return { ...template, name: `${template.name.slice(0, maxNameLength - suffix.length)}${suffix}` };
    });
    await appendItems(db, spec, batch);
    inserted += size;
    onProgress?.({ inserted, total: count, elapsedMs: performance.now() - started });
  }
  return inserted;
}
