import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { buildPage, defaultPageDir } from "../../services/web/build.js";

/**
 * Builds the page into services/web/dist when it is missing or older than any file of
 * services/web/src (esbuild, well under a second). Returns the build time, or undefined when
 * the built page was current.
 */
export async function buildPageIfNeeded(): Promise<number | undefined> {
  const built = await stat(join(defaultPageDir, "index.html")).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  const sources = await newestMtime(join(defaultPageDir, "..", "src"));
  if (built > 0 && built >= sources) return undefined;
  const page = await buildPage();
  return page.durationMs;
}

async function newestMtime(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const times = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map((entry) => stat(join(entry.parentPath, entry.name)).then((info) => info.mtimeMs)),
  );
  return Math.max(0, ...times);
}
