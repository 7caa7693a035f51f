import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { buildPage } from "./build.js";
import { openBrowserPage } from "../../testkit/browser.js";
import { startWebSystem, type WebSystem } from "../../testkit/systems/web-system.js";

const allowedOrigin = "http://allowed.example:3000";

// Each step below waits at most 10-15 s; on an idle 2-core machine the whole file takes ~30 s.
describe("fights page and web edge, whole system in-process", { timeout: 90_000 }, () => {
  let system: WebSystem;
  let pageDir: string;

  before(
    async () => {
      pageDir = await mkdtemp(join(tmpdir(), "fights-page-"));
      await buildPage({ outDir: pageDir });
      system = await startWebSystem({
        staticDir: pageDir,
        fightsEnv: {
          FIGHTS_WEB_ORIGINS: allowedOrigin,
          FIGHTS_BREAKER_MIN_CALLS: "2",
          FIGHTS_BREAKER_FAILURE_RATE: "50",
          FIGHTS_BREAKER_OPEN_MS: "500",
          FIGHTS_BREAKER_MAX_OPEN_MS: "1000",
          // With so few calls judged, one call slowed by a busy machine must not count as a failure:
          // the slow-call threshold is 3 × the upstream's p99 between this floor and this ceiling.
          FIGHTS_BREAKER_SLOW_CALL_MS: "5000",
          FIGHTS_BREAKER_SLOW_CALL_FLOOR_MS: "5000",
          // Only real failures trip the breaker here: a slow call on a busy CI machine must not.
          FIGHTS_SLOW_CALL_MS: "5000",
          FIGHTS_HEROES_TIMEOUT_MS: "5000",
          FIGHTS_VILLAINS_TIMEOUT_MS: "5000",
          FIGHTS_LOCATIONS_TIMEOUT_MS: "5000",
        },
      });
    },
    { timeout: 45_000 },
  );

  after(async () => {
    await system?.stop();
    if (pageDir !== undefined) await rm(pageDir, { recursive: true, force: true });
  });

  it("answers an unknown RPC on the web port with 404 and the Connect code unimplemented", async () => {
    for (const path of ["/superheroes.fight.v1.FightService/Nope", "/superheroes.hero.v1.HeroService/GetRandomHero"]) {
      const response = await fetch(`${system.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.deepEqual(
        { path, status: response.status, body: await response.json() },
        {
          path,
          status: 404,
          body: {
            code: "unimplemented",
            message: `${path.slice(1)} is not served here; this port serves superheroes.fight.v1.FightService`,
          },
        },
      );
    }
  });

  it("performs a fight for a Connect JSON POST, as curl would send it", async () => {
    const response = await fetch(`${system.baseUrl}/superheroes.fight.v1.FightService/PerformRandomFight`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    const body = (await response.json()) as {
      fight?: { id?: string; winner?: { name?: string; team?: string }; loser?: { name?: string } };
    };
    assert.match(body.fight?.id ?? "", /^[1-9]\d*$/);
    assert.ok(
      ["TEAM_HEROES", "TEAM_VILLAINS"].includes(body.fight?.winner?.team ?? ""),
      `winner team ${body.fight?.winner?.team}`,
    );
    assert.notEqual(body.fight?.winner?.name, "Fallback hero");
    assert.notEqual(body.fight?.loser?.name, "Fallback hero");
  });

  it("answers CORS preflights for an origin in FIGHTS_WEB_ORIGINS and refuses any other", async () => {
    const preflight = (origin: string) =>
      fetch(`${system.baseUrl}/superheroes.fight.v1.FightService/GetFightStats`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,connect-protocol-version",
        },
      });
    const allowed = await preflight(allowedOrigin);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get("access-control-allow-origin"), allowedOrigin);
    assert.match(allowed.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /connect-protocol-version/i);

    const refused = await preflight("http://evil.example");
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
    assert.equal(await refused.text(), "origin http://evil.example is not allowed; add it to FIGHTS_WEB_ORIGINS\n");

    const simple = await fetch(`${system.baseUrl}/superheroes.fight.v1.FightService/GetFightStats`, {
      method: "POST",
      headers: { origin: "http://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(
      simple.headers.get("access-control-allow-origin"),
      null,
      "a browser must not let another origin read the answer",
    );
  });

  it(
    "plays a fight that shows up live and in the scores; shows the fallback and open breaker while heroes is down, then recovery",
    { timeout: 45_000 },
    async (t) => {
      const browserPage = await openBrowserPage(t, { viewport: { width: 1280, height: 900 }, stepTimeoutMs: 10_000 });
      if (browserPage === undefined) return;
      const { page, pageErrors } = browserPage;

      // Location pictures fail to load here: the page must show its own placeholder instead.
      await page.route("**/pictures/locations/**", (route) => route.fulfill({ status: 404, body: "gone" }));
      await page.goto(system.baseUrl);
      await page.locator(".fighter.hero .name").waitFor();
      await page.locator('.card.location img[data-placeholder="true"][src^="data:image/svg+xml"]').waitFor();
      assert.equal(
        await page.locator('.fighter img[data-placeholder="true"]').count(),
        0,
        "fighter pictures load from the web edge",
      );
      await waitForText(page, ".upstream-summary", "All data services answer.");
      await waitForText(page, ".feed-state", "Live: fights appear as they happen");
      await waitForText(page, "#backend-pill", "Online");
      const fightsBefore = await totalFights(page);

      await page.getByRole("button", { name: "New fighters" }).click();
      await page.locator("button:has-text('New fighters'):enabled").waitFor();
      assert.equal(await page.locator(".card[data-fallback]").count(), 0, "no fallback while every service is up");
      const hero = await text(page, ".fighter.hero .name");
      const villain = await text(page, ".fighter.villain .name");

      await page.getByRole("button", { name: "Fight!" }).click();
      const winner = await text(page, ".result .winner-name");
      assert.ok([hero, villain].includes(winner), `winner ${winner} is ${hero} or ${villain}`);
      assert.equal(await text(page, ".card.winner .name"), winner, "the winner's card is highlighted");
      await page.locator(".feed-item", { hasText: hero }).filter({ hasText: villain }).first().waitFor();
      await eventually("the scores count the new fight", async () => (await totalFights(page)) === fightsBefore + 1);
      await browserPage.screenshot("fights-page.png");

      await system.stopHeroes();
      const newFighters = () => page.getByRole("button", { name: "New fighters" }).click();
      await eventually(
        "the fallback hero and the open heroes breaker",
        async () =>
          (await text(page, ".fighter.hero .name")) === "Fallback hero" &&
          (await page.locator('[data-upstream="heroes"][data-breaker="OPEN"]').count()) === 1,
        newFighters,
      );
      assert.match(await text(page, ".fighter.hero .fallback-badge"), /Fallback · the heroes service did not answer/);
      assert.match(await text(page, ".upstream-summary"), /Heroes: breaker open, fights use the fallback hero\./);
      await page.getByRole("button", { name: "Fight!" }).click();
      await page.locator(".result .tag.fallback").first().waitFor();
      await page.locator(".feed-item", { hasText: "Fallback hero" }).locator(".tag.fallback").first().waitFor();
      await waitForText(page, "#fallback-fights", "1 fight with a fallback fighter, not counted in the scores");
      assert.equal(await totalFights(page), fightsBefore + 1, "a fight with the fallback hero is not in the scores");
      await browserPage.screenshot("fights-page-heroes-down.png");

      // Villains down too: two placeholders are no fight; the page says so and stores nothing.
      await system.stopVillains();
      await eventually(
        "the fallback hero and the fallback villain",
        async () => (await text(page, ".fighter.villain .name")) === "Fallback villain",
        newFighters,
      );
      const noFight =
        "No fight: the heroes and villains services both did not answer, so there are no real fighters. Press New fighters once one of them is back.";
      assert.equal(await text(page, ".result"), noFight);
      await page.getByRole("button", { name: "Fight!" }).click();
      assert.equal(await text(page, ".result"), noFight);
      assert.equal(await page.locator(".result").getAttribute("data-kind"), "error");
      await browserPage.screenshot("fights-page-no-real-fighters.png");
      await system.restartVillains();

      await system.restartHeroes();
      await eventually(
        "a real hero and the heroes breaker closed again",
        async () =>
          (await text(page, ".fighter.hero .name")) !== "Fallback hero" &&
          (await page.locator('[data-upstream="heroes"][data-breaker="CLOSED"]').count()) === 1,
        newFighters,
      );
      assert.equal(await page.locator(".fighter.hero[data-fallback]").count(), 0);
      await waitForText(page, ".upstream-summary", "All data services answer.");
      await browserPage.screenshot("fights-page-recovered.png");
      assert.deepEqual(pageErrors, []);
    },
  );
});

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent())?.trim() ?? "";
}

async function waitForText(page: Page, selector: string, expected: string): Promise<void> {
  await eventually(`${selector} to read "${expected}"`, async () => (await text(page, selector)) === expected);
}

async function totalFights(page: Page): Promise<number> {
  await eventually("scores to load", async () => /^\d[\d,]*$/.test(await text(page, "#hero-wins")));
  const count = async (selector: string) => Number((await text(page, selector)).replaceAll(",", ""));
  return (await count("#hero-wins")) + (await count("#villain-wins"));
}

/** Polls `check` every 250 ms (calling `poke` between checks) until it holds; fails naming `what` after `timeoutMs`. */
async function eventually(
  what: string,
  check: () => Promise<boolean>,
  poke?: () => Promise<void>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await poke?.();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
