/**
 * The compiled build that `npm start` and the bench run (the container runs the same files, built
 * by the Dockerfile): tsc compiles gen/, services/ and deploy/local/ into dist/
 * (tsconfig.launcher.json) when a source changed since the last build, and the seed files are
 * copied beside the data services. Plain JavaScript, so that it runs before anything is built.
 */
import { execFile } from "node:child_process";
import { copyFile, readdir, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const distDir = join(root, "dist");
/** Written after a successful build; its mtime is "the last build". */
const stampPath = join(distDir, ".npm-start-build");
/** What the build reads: a change to any of these makes dist/ stale. */
const sourceRoots = ["gen", "services", "deploy/local", "testkit"];
const buildFiles = ["tsconfig.json", "tsconfig.build.json", "tsconfig.launcher.json", "package-lock.json"];

/** Modification time of `path` in ms, 0 when it does not exist. @param {string} path */
export const mtime = (path) =>
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
export async function runNode(args, progress) {
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
async function build(/** @type {(text: string) => void} */ say) {
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

/**
 * Builds dist/ when a source changed since the last build, saying why and how long it took.
 * @param {(text: string) => void} say
 */
export async function compileWhenStale(say) {
  const stale = await findStaleSource();
  if (stale === undefined) return;
  say(`compiling the services and the launcher into dist/ (${stale}); later starts skip this`);
  say(`compiled in ${((await build(say)) / 1000).toFixed(1)} s`);
}
