// @ts-check
/**
 * `npm start`, first step. Plain JavaScript, so that it needs no build and no tsx itself:
 * compiles the services and the launcher into dist/ with tsc when a source changed since the last
 * build (progress lines meanwhile; later starts skip it), builds the page when it is stale, then
 * runs the compiled launcher, dist/deploy/local/start.js, in this same process.
 *
 * Why compiled: under tsx the launcher cost ~60 MB more RSS and ~1 s more CPU on every start
 * (README: Running it), and it now holds the shared PGlite, so it runs for as long as the system.
 * package.json runs this file with `--liftoff-only`: V8 then compiles PGlite's WebAssembly once,
 * with its baseline compiler, instead of compiling it again in the background with the optimising
 * one (measured: ~45 MB less RSS and ~1 s less CPU at start, the same query rate), and with
 * `--expose-gc` for one collection once PGlite has loaded (deploy/local/shared-pglite/pglite-server.ts).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compileWhenStale, distDir, mtime, root, runNode } from "./compiled-build.mjs";

const pageDir = join(root, "services", "web");
const say = (/** @type {string} */ text) => process.stdout.write(`${"start".padEnd(9)} | ${text}\n`);

/** Whether services/web/dist is missing or older than a file of services/web/src. */
async function pageIsStale() {
  const built = await mtime(join(pageDir, "dist", "index.html"));
  if (built === 0) return true;
  const entries = await readdir(join(pageDir, "src"), { withFileTypes: true, recursive: true });
  for (const entry of entries)
    if (entry.isFile() && (await mtime(join(entry.parentPath, entry.name))) > built) return true;
  return false;
}

try {
  await compileWhenStale(say);
  if (process.env.FIGHTS_WEB_STATIC_DIR === undefined && (await pageIsStale())) {
    // Under tsx in a child of its own: esbuild and tsx never stay in the launcher's memory.
    const ms = await runNode(["--import", "tsx", join(pageDir, "build.ts")], () => undefined);
    say(`built the page in ${(ms / 1000).toFixed(1)} s`);
  }
} catch (error) {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
await import(pathToFileURL(join(distDir, "deploy", "local", "start.js")).href);
