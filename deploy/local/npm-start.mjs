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
import { execFile } from "node:child_process";
import { copyFile, readdir, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));
const distDir = join(root, "dist");
/** Written after a successful build; its mtime is "the last build". */
const stampPath = join(distDir, ".npm-start-build");
/** What the build reads: a change to any of these makes dist/ stale. */
const sourceRoots = ["gen", "services", "deploy/local", "testkit"];
const buildFiles = ["tsconfig.json", "tsconfig.build.json", "tsconfig.launcher.json", "package-lock.json"];
const pageDir = join(root, "services", "web");
const say = (/** @type {string} */ text) => process.stdout.write(`${"start".padEnd(9)} | ${text}\n`);

/** @param {string} path */
const mtime = (path) =>
  stat(path).then(
    (info) => info.mtimeMs,
    () => 0,
  );

/**
 * Why dist/ must be built (no build yet, or which source changed since), or undefined when current.
 * @returns {Promise<string | undefined>}
 */
async function findStaleSource() {
  const built = await mtime(stampPath);
  if (built === 0) return "no build yet";
  for (const file of buildFiles) if ((await mtime(join(root, file))) > built) return `${file} changed`;
  for (const sourceRoot of sourceRoots) {
    const entries = await readdir(join(root, sourceRoot), { withFileTypes: true, recursive: true });
    for (const entry of entries) {
      const path = join(entry.parentPath, entry.name);
      if (!entry.isFile() || !isBuildInput(path)) continue;
      if ((await mtime(path)) > built) return `${relative(root, path)} changed`;
    }
  }
  return undefined;
}

/** @param {string} path */
function isBuildInput(path) {
  const name = relative(root, path);
  if (name.endsWith(".test.ts") || name.startsWith(join("services", "web"))) return false;
  return name.endsWith(".ts") || name.endsWith(".json");
}

/**
 * Runs node on `args` in the project root, calling `progress` every 2 s; throws with its output on failure.
 * @param {string[]} args
 * @param {(elapsedMs: number) => void} progress
 */
async function runNode(args, progress) {
  const startedAt = performance.now();
  const timer = setInterval(() => progress(performance.now() - startedAt), 2_000);
  try {
    await promisify(execFile)(process.execPath, args, { cwd: root });
  } catch (error) {
    const { stdout, stderr } = /** @type {{ stdout?: string; stderr?: string }} */ (error);
    throw new Error(`${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? String(error)}`);
  } finally {
    clearInterval(timer);
  }
  return performance.now() - startedAt;
}

/** Compiles services, gen and the launcher (tsconfig.launcher.json) and copies the seed files, as the Dockerfile does. */
async function build() {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const ms = await runNode([tsc, "-p", "tsconfig.launcher.json"], (elapsed) =>
    say(`  still compiling (${(elapsed / 1000).toFixed(0)} s)`),
  );
  for (const name of ["heroes", "villains", "locations"]) {
    const seed = `seed-${name}.json`;
    await copyFile(join(root, "services", name, seed), join(distDir, "services", name, seed));
  }
  await writeFile(stampPath, `${new Date().toISOString()}\n`);
  return ms;
}

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
  const stale = await findStaleSource();
  if (stale !== undefined) {
    say(`compiling the services and the launcher into dist/ (${stale}); later starts skip this`);
    say(`compiled in ${((await build()) / 1000).toFixed(1)} s`);
  }
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
