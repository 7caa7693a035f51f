import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding package.json, with a trailing separator: found by walking up from this
 * module, so it is the same whether the code runs from source (services/) or compiled (dist/),
 * and for the launcher, the config table and the test helpers alike.
 */
export const projectRoot: string = findProjectRoot();

function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "/");
}
