import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { projectRoot } from "../services/platform/config/project-root.js";

/**
 * Prints the test files `npm test` runs, one per line: every `*.test.ts` under services/, bench/,
 * test/ and deploy/. With `TEST_SCOPE=in-process` only the files that start no process;
 * `TEST_SCOPE=processes` only the others; `TEST_SCOPE=unit` only the in-process files that start
 * no database and no whole service either (the fast tier CI runs on a second Node line, .ci/run).
 */

/** Which test files a run takes. */
export type TestScope = "all" | "in-process" | "processes" | "unit";

const roots = ["services", "bench", "test", "deploy"];

/**
 * A test file starts processes when it imports child_process, the browser driver or one of
 * testkit's spawners, Chromium's included (every child process of a test goes through these:
 * testkit/README.md).
 */
const startsProcesses =
  /from "(node:child_process|playwright-core|[./]*testkit\/(processes\/(node-process|service-processes|launcher-process|spawn-fixture)|browser)\.js)"/;

/**
 * A test file starts a database or a whole service in its own process when it imports a test
 * system, a throw-away PostgreSQL database, the catalog kit, a service's app, the database layer
 * or PGlite (every such test goes through these).
 */
const startsSystems =
  /from "(@electric-sql\/pglite[^"]*|[./]*(testkit\/(systems\/[^"]+|postgres\.js|catalog\/[^"]+)|services\/[a-z]+\/app\.js|services\/platform\/database\/[^"]+|deploy\/local\/shared-pglite\/pglite-server\.js))"/;

/** The test files of `scope`, relative to the project root, sorted. */
export function testFiles(scope: TestScope): string[] {
  const files = roots.flatMap((root) => findTests(join(projectRoot, root))).sort();
  if (scope === "all") return files;
  const source = (file: string) => readFileSync(join(projectRoot, file), "utf8");
  const spawning = (file: string) => startsProcesses.test(source(file));
  if (scope === "unit") return files.filter((file) => !spawning(file) && !startsSystems.test(source(file)));
  return files.filter((file) => spawning(file) === (scope === "processes"));
}

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
    .map((entry) => relative(projectRoot, join(entry.parentPath, entry.name)))
    .filter((file) => !file.split("/").includes("node_modules"));
}

// Run as a script (import.meta.main is Node 24+; this also works on older lines).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const scope = process.env.TEST_SCOPE ?? "all";
  if (scope !== "all" && scope !== "in-process" && scope !== "processes" && scope !== "unit") {
    console.error(`TEST_SCOPE: "${scope}" is not all, in-process, processes or unit`);
    process.exit(2);
  }
  process.stdout.write(testFiles(scope).join("\n") + "\n");
}
