import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`; `.ci/run` installs it). */
const chromiumPath = "/usr/bin/chromium";
/**
 * Headless, as root, on a machine with no way out: without the background-networking flags
 * Chromium's own connections are refused, many at a time, and it looks up Google's hosts at start.
 */
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** Where the browser tests' screenshots go (gitignored). */
const screenshotDir = join(import.meta.dirname, "..", "test-output");

/** A page in a fresh headless Chromium, closed with the test. */
export interface BrowserPage {
  page: Page;
  /** Uncaught errors of the page's own scripts, in order. */
  pageErrors: Error[];
  /** Saves a full-page screenshot as `test-output/<name>`, names it in the test's output, returns its path. */
  screenshot(name: string): Promise<string>;
}

/** Options of `openBrowserPage`. */
export interface BrowserPageOptions {
  viewport: { width: number; height: number };
  /** Playwright's default timeout for each step on the page, ms. */
  stepTimeoutMs: number;
}

/**
 * Opens a page in headless Chromium for test `t`, or skips `t` (saying how to install it) and
 * returns undefined when Chromium is not installed. The browser closes when the test ends.
 */
export async function openBrowserPage(t: TestContext, options: BrowserPageOptions): Promise<BrowserPage | undefined> {
  if (!existsSync(chromiumPath)) {
    t.skip(`${chromiumPath} is missing: install it with 'apt-get install -y chromium' to run the browser test`);
    return undefined;
  }
  await mkdir(screenshotDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 15_000 });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: options.viewport });
  const pageErrors: Error[] = [];
  page.on("pageerror", (error) => pageErrors.push(error));
  page.setDefaultTimeout(options.stepTimeoutMs);
  return {
    page,
    pageErrors,
    async screenshot(name) {
      const path = join(screenshotDir, name);
      await page.screenshot({ path, fullPage: true });
      t.diagnostic(`screenshot: ${path}`);
      return path;
    },
  };
}
