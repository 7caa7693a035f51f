import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Team, type Combatant, type Fight } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BackendStatus } from "../backend-status.js";
import { h } from "../dom.js";
import { describeError, isCanceled } from "../errors.js";
import { unaryCall, type FightClient } from "../fight-client.js";
import { createBackoff, sleep } from "../timing.js";

/** Options of `startLiveFeed`. */
export interface LiveFeedOptions {
  client: FightClient;
  status: BackendStatus;
  /** Stops the feed (and its stream) when aborted. */
  signal: AbortSignal;
  /** Fights kept on screen; default 12. */
  maxItems?: number;
}

/**
 * The live feed: every fight stored by anyone, from WatchFights. On (re)connect it first shows
 * the latest fights from ListFights, so nothing stored while disconnected is missing; when the
 * stream ends or fails it reconnects with exponential backoff (0.5 s … 10 s).
 */
export function startLiveFeed(root: HTMLElement, options: LiveFeedOptions): void {
  const state = h("p", { class: "feed-state", role: "status", "data-state": "connecting" }, "Connecting…");
  const list = h("ol", {
    class: "feed-list",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Latest fights, newest first",
  });
  root.append(state, list);
  const shown = new Map<bigint, HTMLElement>();
  const maxItems = options.maxItems ?? 12;
  const add = (fight: Fight) => {
    if (shown.has(fight.id)) return;
    const item = renderFight(fight);
    const newer = [...shown.entries()].filter(([id]) => id > fight.id).length;
    list.insertBefore(item, list.children[newer] ?? null);
    shown.set(fight.id, item);
    for (const [id, element] of [...shown.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, Math.max(0, shown.size - maxItems))) {
      element.remove();
      shown.delete(id);
    }
  };
  const setState = (name: "live" | "connecting" | "down", text: string) => {
    state.dataset["state"] = name;
    state.textContent = text;
  };
  void watch(options, add, setState);
}

async function watch(
  options: LiveFeedOptions,
  add: (fight: Fight) => void,
  setState: (name: "live" | "connecting" | "down", text: string) => void,
): Promise<void> {
  const { client, status, signal } = options;
  const backoff = createBackoff();
  while (!signal.aborted) {
    let reason = "the stream ended";
    try {
      setState("connecting", "Connecting…");
      const latest = await client.listFights({ pageSize: 10 }, { ...unaryCall, signal });
      latest.fights.forEach(add);
      status.reached();
      setState("live", "Live: fights appear as they happen");
      for await (const { fight } of client.watchFights({}, { signal, onHeader: () => backoff.reset() })) {
        backoff.reset();
        if (fight !== undefined) add(fight);
      }
    } catch (error) {
      if (signal.aborted || isCanceled(error)) return;
      status.failed(error);
      reason = describeError(error);
    }
    const delayMs = backoff.next();
    setState("down", `Feed interrupted: ${reason}. Reconnecting in ${Math.ceil(delayMs / 1000)} s…`);
    await sleep(delayMs, signal);
  }
}

function renderFight(fight: Fight): HTMLElement {
  const time = fight.fightTime === undefined ? undefined : timestampDate(fight.fightTime);
  return h(
    "li",
    { class: "feed-item", "data-fight-id": String(fight.id) },
    time === undefined ? null : h("time", { datetime: time.toISOString() }, time.toLocaleTimeString("en-GB")),
    h(
      "span",
      { class: "feed-text" },
      combatant(fight.winner, "winner"),
      " beat ",
      combatant(fight.loser, "loser"),
      h("span", { class: "feed-place" }, ` at ${fight.location?.name ?? "somewhere"}`),
      fight.location?.fallback === true ? fallbackTag() : null,
    ),
  );
}

function combatant(fighter: Combatant | undefined, role: "winner" | "loser"): HTMLElement {
  const team = fighter?.team === Team.HEROES ? "hero" : "villain";
  const name = h("strong", { class: `name ${team} ${role}` }, fighter?.name ?? "unknown");
  return fighter?.fallback === true ? h("span", {}, name, fallbackTag()) : name;
}

function fallbackTag(): HTMLElement {
  return h("span", { class: "tag fallback" }, "fallback");
}
