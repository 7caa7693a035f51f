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
  // A cluster made before the 1 MB WAL segments keeps its 16 MB ones, with which the small WAL
  // limits below would be refused at start: it keeps PostgreSQL's WAL settings.
  if (dataDir !== undefined && existsSync(join(dataDir, "PG_VERSION")))
    return PGlite.create({ dataDir, startParams: startParams(existingClusterWal) });
  const template = await readTemplate();
  if (template !== undefined) {
    try {
      return await PGlite.create({
        ...(dataDir === undefined ? {} : { dataDir }),
        loadDataDir: template,
        startParams: startParams(smallWal),
      });
    } catch {
      // A damaged template (e.g. a half-written file from a crash) is replaced below.
    }
  }
  const database = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    initDbStartParams: ["--wal-segsize=1"],
    startParams: startParams(smallWal),
  });
  await saveTemplate(database).catch(() => undefined);
  return database;
}

/**
 * The write-ahead log of a fresh cluster: 1 MB segments (initdb's `--wal-segsize=1`), at most
 * 16 MB of them between checkpoints and 4 MB kept for reuse. PGlite keeps its files in memory
 * (unless given a data directory), so the WAL is memory: with PostgreSQL's defaults (16 MB
 * segments, `min_wal_size` 80 MB, `max_wal_size` 1 GB) an in-memory cluster held one 16 MB segment
 * at start and, after 100,000 inserted rows, 100.6 MiB of files even after a CHECKPOINT (the
 * recycled segments stay); with these, 32.5 MiB at start and 68 MiB after the same rows and
 * CHECKPOINT (PGlite 0.5; measured by walking PGlite's in-memory file system).
 */
const smallWal = ["-c", "min_wal_size=4MB", "-c", "max_wal_size=16MB"];
/** PostgreSQL's own WAL settings, for a cluster made before the small WAL (its segments are 16 MB). */
const existingClusterWal: readonly string[] = [];

/**
 * PGlite's own start parameters plus a 16 MB buffer pool instead of initdb's 128 MB: a service's
 * tables are a few MB, and the pool's pages count in the RSS of every process that embeds PGlite.
 * Measured on one compiled heroes process after start-up: 470 MB RSS with 128 MB, 368 MB with
 * 16 MB, 356 MB with 1 MB (not worth a pool smaller than the catalog's working set).
 */
function startParams(wal: readonly string[]): string[] {
  return [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB", ...wal];
}

/** The template file of the installed PGlite version (its package.json is not exported, so read it by path). */
function templatePath(): string {
  const entry = fileURLToPath(import.meta.resolve("@electric-sql/pglite"));
  const { version } = JSON.parse(readFileSync(join(dirname(dirname(entry)), "package.json"), "utf8")) as {
    version: string;
  };
  // "wal1mb": templates made before the 1 MB WAL segments have 16 MB ones and are not reused.
  return join(tmpdir(), `superheroes-pglite-${version}-wal1mb-template.tar`);
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
