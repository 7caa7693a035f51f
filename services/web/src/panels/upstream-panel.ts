import { BreakerState, type UpstreamStatus } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BackendStatus } from "../backend-status.js";
import { formatCount, h, replace } from "../dom.js";
import { describeError } from "../errors.js";
import { unaryCall, type FightClient } from "../fight-client.js";
import { startPoller } from "../timing.js";

/** Options of `startUpstreamPanel`. */
export interface UpstreamPanelOptions {
  client: FightClient;
  status: BackendStatus;
  signal: AbortSignal;
  /** Time between polls, ms; default 1 500. */
  intervalMs?: number;
}

const fallbackOf: Record<string, string> = {
  heroes: "the fallback hero",
  villains: "the fallback villain",
  locations: "the fallback location",
};

/**
 * Health of the three data services as the fights service sees them (GetUpstreamStatus):
 * breaker state, channel state and call counts, polled every 1.5 s. A summary line, announced
 * politely to screen readers when it changes, says what is wrong and what the fights do about it.
 */
export function startUpstreamPanel(root: HTMLElement, options: UpstreamPanelOptions): void {
  const summary = h(
    "p",
    { class: "upstream-summary", role: "status", "aria-live": "polite", "data-health": "unknown" },
    "Checking the data services…",
  );
  const list = h("ul", { class: "upstreams" });
  root.append(summary, list);
  // Lines are replaced only when they change, so screen readers hear each change once.
  const setSummary = (health: string, lines: string[]) => {
    summary.dataset["health"] = health;
    if (summary.textContent !== lines.join(""))
      replace(summary, ...lines.map((line) => h("span", { class: "problem" }, line)));
  };
  startPoller(
    async (signal) => {
      try {
        const { upstreams } = await options.client.getUpstreamStatus({}, { ...unaryCall, signal });
        options.status.reached();
        root.removeAttribute("data-stale");
        replace(list, ...upstreams.map(renderUpstream));
        const problems = upstreams.map(problemOf).filter((problem) => problem.length > 0);
        setSummary(
          problems.length === 0 ? "ok" : "degraded",
          problems.length === 0 ? ["All data services answer."] : problems,
        );
      } catch (error) {
        if (signal.aborted) return;
        options.status.failed(error);
        root.dataset["stale"] = "true";
        setSummary("unknown", [`State unknown: ${describeError(error)}.`]);
      }
    },
    options.intervalMs ?? 1_500,
    options.signal,
  );
}

function renderUpstream(upstream: UpstreamStatus): HTMLElement {
  const breaker = BreakerState[upstream.breakerState] ?? "UNSPECIFIED";
  return h(
    "li",
    {
      class: "upstream",
      "data-upstream": upstream.name,
      "data-breaker": breaker,
      "data-channel": upstream.channelState,
    },
    h("span", { class: "upstream-name" }, title(upstream.name)),
    h(
      "span",
      { class: "breaker", "data-state": breaker, title: breakerWhy(upstream) },
      breakerLabel(upstream.breakerState),
    ),
    h("span", { class: "channel", title: "gRPC channel state" }, upstream.channelState.replace("_", " ").toLowerCase()),
    h(
      "span",
      { class: "counts" },
      `${plural(upstream.calls, "call")} · ${formatCount(upstream.failures)} failed · ${formatCount(upstream.rejections)} refused`,
    ),
    h("span", { class: "breaker-why" }, breakerWhy(upstream)),
  );
}

/** Why the breaker is in its state: the failure rate it judges, over how many calls, and its last change. */
function breakerWhy(upstream: UpstreamStatus): string {
  if (upstream.breakerState === BreakerState.UNSPECIFIED) return "no circuit breaker";
  const rate = `failure rate ${(upstream.failureRate * 100).toFixed(1)} % of ${plural(upstream.windowCalls, "call")}`;
  return upstream.lastTransitionReason === "" ? rate : `${rate} · last change: ${upstream.lastTransitionReason}`;
}

function breakerLabel(state: BreakerState): string {
  switch (state) {
    case BreakerState.CLOSED:
      return "closed";
    case BreakerState.OPEN:
      return "open";
    case BreakerState.HALF_OPEN:
      return "half-open";
    default:
      return "no breaker";
  }
}

function problemOf(upstream: UpstreamStatus): string {
  const name = title(upstream.name);
  const fallback = fallbackOf[upstream.name] ?? "a fallback";
  if (upstream.breakerState === BreakerState.OPEN) return `${name}: breaker open, fights use ${fallback}.`;
  if (upstream.breakerState === BreakerState.HALF_OPEN)
    return `${name}: breaker half-open, probing whether it is back.`;
  if (upstream.channelState === "TRANSIENT_FAILURE") return `${name}: unreachable, fights use ${fallback}.`;
  return "";
}

function plural(count: bigint, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1n ? "" : "s"}`;
}

function title(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
