import { Team, type GetFightStatsResponse } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BackendStatus } from "../backend-status.js";
import { formatCount, h, replace } from "../dom.js";
import { describeError } from "../errors.js";
import { unaryCall, type FightClient } from "../fight-client.js";
import { startPoller, type Poller } from "../timing.js";

/** Options of `startStatsPanel`. */
export interface StatsPanelOptions {
  client: FightClient;
  status: BackendStatus;
  signal: AbortSignal;
  /** Time between refreshes, ms; default 4 000. */
  intervalMs?: number;
}

/**
 * Team scores and top winners from GetFightStats (fights between real fighters only), and how
 * many fights had a fallback fighter, refreshed every few seconds and on demand.
 */
export function startStatsPanel(root: HTMLElement, options: StatsPanelOptions): Poller {
  const heroWins = h("strong", { id: "hero-wins", class: "score-value" }, "–");
  const villainWins = h("strong", { id: "villain-wins", class: "score-value" }, "–");
  const bar = h(
    "div",
    { class: "ratio-bar", role: "img", "aria-label": "No fights yet" },
    h("span", { class: "ratio-heroes" }),
  );
  const note = h("p", { class: "stats-note muted", role: "status" });
  const fallbacks = h("p", { id: "fallback-fights", class: "stats-note muted" });
  const winners = h("ol", { class: "winners", "aria-labelledby": "winners-title" });
  root.append(
    h(
      "div",
      { class: "scores" },
      h("p", { class: "score hero" }, h("span", {}, "Heroes"), heroWins),
      h("p", { class: "score villain" }, h("span", {}, "Villains"), villainWins),
    ),
    bar,
    note,
    fallbacks,
    h("h3", { id: "winners-title" }, "Top winners"),
    winners,
  );
  const show = (stats: GetFightStatsResponse) => {
    heroWins.textContent = formatCount(stats.heroWins);
    villainWins.textContent = formatCount(stats.villainWins);
    const total = stats.heroWins + stats.villainWins;
    const percent = total === 0n ? 50 : Math.round(stats.heroWinRatio * 100);
    bar.style.setProperty("--hero-share", `${percent}%`);
    bar.setAttribute(
      "aria-label",
      total === 0n ? "No fights yet" : `Heroes won ${percent}% of ${formatCount(total)} fights`,
    );
    note.textContent =
      total === 0n
        ? "No fights yet: press Fight!"
        : `${percent}% hero wins over ${formatCount(total)} ${total === 1n ? "fight" : "fights"}`;
    fallbacks.textContent = `${formatCount(stats.fallbackFights)} ${stats.fallbackFights === 1n ? "fight" : "fights"} with a fallback fighter, not counted in the scores`;
    replace(
      winners,
      ...stats.topWinners.map((winner) =>
        h(
          "li",
          {},
          h("span", { class: `name ${winner.team === Team.HEROES ? "hero" : "villain"}` }, winner.name),
          h("span", { class: "wins" }, `${formatCount(winner.wins)} ${winner.wins === 1n ? "win" : "wins"}`),
        ),
      ),
    );
    if (stats.topWinners.length === 0) winners.append(h("li", { class: "muted" }, "Nobody has won yet."));
  };
  return startPoller(
    async (signal) => {
      try {
        show(await options.client.getFightStats({}, { ...unaryCall, signal }));
        options.status.reached();
        root.removeAttribute("data-stale");
      } catch (error) {
        if (signal.aborted) return;
        options.status.failed(error);
        root.dataset["stale"] = "true";
        note.textContent = `Scores may be out of date: ${describeError(error)}.`;
      }
    },
    options.intervalMs ?? 4_000,
    options.signal,
  );
}
