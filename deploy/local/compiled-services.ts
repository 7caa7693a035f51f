import { copyFile, readdir, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { dataServiceNames, type ServiceName } from "../../services/service-list.js";
import { projectRoot } from "./service-plan.js";

/**
 * `npm start` runs the services as compiled JavaScript from dist/ (what `npm run build` and the
 * container image run), not under tsx: transpiling every module of four processes on every start
 * cost seconds of CPU and ~40 MB of RSS per process. dist/ is rebuilt only when a source is newer
 * than the last build.
 */

const distDir = join(projectRoot, "dist");
/** Written after a successful build; its mtime is "the last build". */
const stampPath = join(distDir, ".npm-start-build");
/** What the build reads: a change to any of these makes dist/ stale. */
const sourceRoots = ["gen", "services"];
const buildFiles = ["tsconfig.json", "tsconfig.build.json", "package-lock.json"];

/** The compiled entry point of a service: dist/services/<name>/main.js. */
export function compiledEntryPoint(name: ServiceName): string {
  return join(distDir, "services", name, "main.js");
}

/** Why dist/ must be built (no build yet, or which source changed since), or undefined when it is current. */
export async function findStaleSource(): Promise<string | undefined> {
  const built = await mtime(stampPath);
  if (built === 0) return "no build yet";
  for (const file of buildFiles)
    if ((await mtime(join(projectRoot, file))) > built) return `${file} changed since the last build`;
  for (const root of sourceRoots) {
    const entries = await readdir(join(projectRoot, root), { withFileTypes: true, recursive: true });
    for (const entry of entries) {
      if (!entry.isFile() || !isBuildInput(entry.name, entry.parentPath)) continue;
      const path = join(entry.parentPath, entry.name);
      if ((await mtime(path)) > built) return `${relative(projectRoot, path)} changed since the last build`;
    }
  }
  return undefined;
}

/**
 * Compiles gen/ and services/ into dist/ with tsc (tsconfig.build.json) and copies the seed files,
 * as the Dockerfile does. `progress` is called every `intervalMs` while tsc runs, so a first start
 * never looks hung. Throws with tsc's output when it fails.
 */
export async function buildServices(progress: (elapsedMs: number) => void, intervalMs = 2_000): Promise<number> {
  const startedAt = performance.now();
  const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
  const timer = setInterval(() => progress(performance.now() - startedAt), intervalMs);
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: projectRoot });
  } catch (error: unknown) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p tsconfig.build.json failed:\n${stdout ?? ""}${stderr ?? String(error)}`);
  } finally {
    clearInterval(timer);
  }
  for (const name of dataServiceNames) {
    const seed = `seed-${name}.json`;
    await copyFile(join(projectRoot, "services", name, seed), join(distDir, "services", name, seed));
  }
  await writeFile(stampPath, `${new Date().toISOString()}\n`);
  return performance.now() - startedAt;
}

function isBuildInput(name: string, folder: string): boolean {
  if (name.endsWith(".test.ts")) return false;
  if (relative(projectRoot, folder).startsWith(join("services", "web"))) return false;
  return name.endsWith(".ts") || name.endsWith(".json");
}

function mtime(path: string): Promise<number> {
  return stat(path).then(
    (info) => info.mtimeMs,
    () => 0,
  );
}
