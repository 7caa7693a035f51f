import { existsSync, openAsBlob, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";

/**
 * Opens a PGlite database quickly. A fresh PGlite runs initdb, which takes seconds (measured
 * here: 6–12 s on a busy 2-core machine, against ~2 s to load a copy of an initialised cluster).
 * So the first fresh cluster is dumped once to a template file in the OS temp folder (keyed by
 * the PGlite version), and every later fresh cluster, in any process, is loaded from it.
 * An existing data directory is opened as it is.
 */
export async function openPglite(dataDir?: string): Promise<PGlite> {
  if (dataDir !== undefined && existsSync(join(dataDir, "PG_VERSION")))
    return PGlite.create({ dataDir, startParams: startParams() });
  const template = await readTemplate();
  if (template !== undefined) {
    try {
      return await PGlite.create({
        ...(dataDir === undefined ? {} : { dataDir }),
        loadDataDir: template,
        startParams: startParams(),
      });
    } catch {
      // A damaged template (e.g. a half-written file from a crash) is replaced below.
    }
  }
  const database = await PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), startParams: startParams() });
  await saveTemplate(database).catch(() => undefined);
  return database;
}

/**
 * PGlite's own start parameters plus a 16 MB buffer pool instead of initdb's 128 MB: a service's
 * tables are a few MB, and the pool's pages count in the RSS of every process that embeds PGlite.
 * Measured on one compiled heroes process after start-up: 470 MB RSS with 128 MB, 368 MB with
 * 16 MB, 356 MB with 1 MB (not worth a pool smaller than the catalog's working set).
 */
function startParams(): string[] {
  return [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];
}

/** The template file of the installed PGlite version (its package.json is not exported, so read it by path). */
function templatePath(): string {
  const entry = fileURLToPath(import.meta.resolve("@electric-sql/pglite"));
  const { version } = JSON.parse(readFileSync(join(dirname(dirname(entry)), "package.json"), "utf8")) as {
    version: string;
  };
  return join(tmpdir(), `superheroes-pglite-${version}-template.tar`);
}

/**
 * The template as a file-backed Blob: PGlite reads its 40 MB once while loading, instead of a
 * Buffer and a Blob copy of it that stay in memory until a garbage collection. Such a Blob fails
 * only when read, so a missing file is checked first (a file replaced meanwhile fails the load,
 * which `openPglite` answers with a fresh initdb).
 */
async function readTemplate(): Promise<Blob | undefined> {
  const path = templatePath();
  if (!existsSync(path)) return undefined;
  return openAsBlob(path, { type: "application/x-tar" }).catch(() => undefined);
}

/** Writes the template atomically (temp file + rename), so readers never see half a file. */
async function saveTemplate(database: PGlite): Promise<void> {
  const dump = await database.dumpDataDir("none");
  const path = templatePath();
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
  await rename(partial, path);
}
