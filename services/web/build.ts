import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

/** Options of `buildPage`. */
export interface BuildPageOptions {
  /** Folder to write index.html, app.js and app.css to; default `services/web/dist`. */
  outDir?: string;
  /** Minify the bundle; default true. */
  minify?: boolean;
}

/** What `buildPage` wrote. */
export interface BuiltPage {
  outDir: string;
  /** Paths of the files written, relative to `outDir`. */
  files: string[];
  /** Wall time of the build, ms. */
  durationMs: number;
}

const webDir = dirname(fileURLToPath(import.meta.url));

/** Default output folder of the page, the one the fights web edge serves (FIGHTS_WEB_STATIC_DIR). */
export const defaultPageDir = join(webDir, "dist");

/**
 * Bundles the page with esbuild: `src/main.ts` → `app.js`, `src/styles.css` → `app.css`, and
 * copies `src/index.html`. Takes well under a second, so tests and `npm start` call it freely.
 */
export async function buildPage(options: BuildPageOptions = {}): Promise<BuiltPage> {
  const started = performance.now();
  const outDir = options.outDir ?? defaultPageDir;
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [
      { in: join(webDir, "src", "main.ts"), out: "app" },
      { in: join(webDir, "src", "styles.css"), out: "app" },
    ],
    outdir: outDir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome109", "firefox115", "safari16"],
    minify: options.minify ?? true,
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
  });
  await copyFile(join(webDir, "src", "index.html"), join(outDir, "index.html"));
  const files = [
    ...Object.keys(result.metafile.outputs).map((path) => path.slice(path.lastIndexOf("/") + 1)),
    "index.html",
  ];
  return { outDir, files: files.sort(), durationMs: performance.now() - started };
}

// `npm run build:web`
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const page = await buildPage();
  process.stdout.write(`built ${page.files.join(", ")} into ${page.outDir} in ${page.durationMs.toFixed(0)} ms\n`);
}
