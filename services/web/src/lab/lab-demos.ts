import type { GetLabResponse } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { h } from "../dom.js";
import { type LabActions, runLabAction as run } from "./lab-actions.js";

/** Fights per second the demos make sure of: enough calls for a breaker to judge within a second. */
const demoTraffic = 50;
/** How long the demos' traffic runs, s. */
const demoTrafficSeconds = 180;
const none = { latencyMs: 0, jitterMs: 0, errorRate: 0, errorCode: "UNAVAILABLE" };

/**
 * Scripted demos, one button each: slow heroes by 300 ms, kill villains' answers, clear every
 * fault. Each makes sure the lab traffic runs (a breaker judges a rate over a minimum volume of
 * calls, so a quiet system shows nothing) and says what to watch.
 */
export function createLabDemos(actions: LabActions): { element: HTMLElement; update(lab: GetLabResponse): void } {
  const button = (text: string, upstream: string | undefined, action: () => Promise<void>) => {
    const element = h("button", { type: "button", class: "button demo", "data-needs": upstream }, text);
    element.addEventListener("click", () => run(actions, action));
    return element;
  };
  const withTraffic = async () => {
    if (actions.trafficRate() < demoTraffic) await actions.setTraffic(demoTraffic, demoTrafficSeconds);
  };
  const buttons = [
    button("Slow heroes by 300 ms", "heroes", async () => {
      await withTraffic();
      await actions.setFaults("heroes", { ...none, latencyMs: 300 });
      actions.say(
        `Heroes answer 300 ms late; lab traffic runs at ${demoTraffic} fights/s. Watch heroes' p99 and the fight ` +
          "latency rise. The breaker trips on a burst of calls slower than 3 × heroes' own recent p99 " +
          "(at most FIGHTS_BREAKER_SLOW_CALL_MS); a slowdown that lasts becomes heroes' normal.",
      );
    }),
    button("Kill villains' answers", "villains", async () => {
      await withTraffic();
      await actions.setFaults("villains", { ...none, errorRate: 1 });
      actions.say(
        "Villains fail every call with UNAVAILABLE. Watch the villains breaker open, fights carry the " +
          "fallback villain in the feed and the fallback share rise; refused calls take no time.",
      );
    }),
    button("Clear all faults", undefined, async () => {
      await Promise.all(actions.enabled().map((upstream) => actions.setFaults(upstream, none)));
      actions.say(
        "Faults cleared. Watch each open breaker go half-open as soon as its service's health says " +
          "SERVING, close after two good probes, and the fallbacks disappear.",
      );
    }),
  ];
  return {
    element: h("div", { class: "lab-demos", role: "group", "aria-label": "Scripted demos" }, ...buttons),
    update(lab) {
      const enabled = new Set(
        lab.upstreams.filter((upstream) => upstream.faultsEnabled).map((upstream) => upstream.name),
      );
      for (const element of buttons) {
        const needs = element.dataset["needs"];
        element.hidden = needs !== undefined && !enabled.has(needs);
      }
    },
  };
}
