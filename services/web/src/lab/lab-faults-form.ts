import type { FaultSettings } from "../../../../gen/superheroes/fault/v1/fault_service_pb.js";
import type { UpstreamLab } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { h } from "../dom.js";
import { type LabActions, runLabAction as run } from "./lab-actions.js";

/** The fault form of one data service. */
export interface FaultsForm {
  element: HTMLElement;
  /** Shows what the service injects now; `intoInputs` also puts it into the inputs (after a change made here). */
  show(upstream: UpstreamLab, intoInputs: boolean): void;
}

/** Status names a data service can fail with on purpose, the ones the breaker weighs differently first. */
const errorCodes = ["UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "UNKNOWN", "RESOURCE_EXHAUSTED", "NOT_FOUND"];

/**
 * Latency, jitter, error rate and error code of one data service, each with its own label;
 * Apply replaces the service's faults with the form's values, Clear sets them all to zero.
 */
export function renderUpstreamFaults(upstream: UpstreamLab, actions: LabActions): FaultsForm {
  const name = upstream.name;
  const label = title(name);
  const id = (field: string) => `lab-${name}-${field}`;
  const number = (field: string, max: number, step: number) =>
    h("input", { id: id(field), type: "number", min: 0, max, step, value: 0, inputmode: "numeric" });
  const latency = number("latency", 60_000, 10);
  const jitter = number("jitter", 60_000, 10);
  const errorRate = number("error-rate", 100, 5);
  const errorCode = h(
    "select",
    { id: id("error-code") },
    ...errorCodes.map((code) => h("option", { value: code }, code)),
  );
  const now = h("p", { class: "lab-now", "data-upstream": name });
  const apply = h("button", { type: "submit", class: "button primary small" }, `Apply to ${name}`);
  const clear = h("button", { type: "button", class: "button secondary small" }, `Clear ${name}`);
  const field = (input: HTMLElement, text: string, field: string) =>
    h("div", { class: "lab-field" }, h("label", { for: id(field) }, text), input);
  const element = h(
    "form",
    { class: "lab-service", "data-upstream": name, "aria-label": `${label} faults` },
    h("h3", {}, label),
    h(
      "div",
      { class: "lab-fields" },
      field(latency, `${label} latency (ms)`, "latency"),
      field(jitter, `${label} jitter (ms)`, "jitter"),
      field(errorRate, `${label} error rate (%)`, "error-rate"),
      field(errorCode, `${label} error code`, "error-code"),
    ),
    h("div", { class: "lab-buttons" }, apply, clear),
    now,
  );
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    void run(actions, async () => {
      const faults = {
        latencyMs: Number(latency.value),
        jitterMs: Number(jitter.value),
        errorRate: Number(errorRate.value) / 100,
        errorCode: errorCode.value,
      };
      await actions.setFaults(name, faults);
      actions.say(`${label}: ${describeFaults(faults)}.`);
    });
  });
  clear.addEventListener("click", () =>
    run(actions, async () => {
      await actions.setFaults(name, { latencyMs: 0, jitterMs: 0, errorRate: 0, errorCode: "UNAVAILABLE" });
      actions.say(`${label}: faults cleared.`);
    }),
  );
  let filled = false;
  return {
    element,
    show(state, intoInputs) {
      const faults = state.faults;
      if (faults === undefined) return;
      now.textContent = `Now: ${describeFaults(faults)}`;
      now.dataset["latency"] = String(faults.latencyMs);
      now.dataset["errorRate"] = String(faults.errorRate);
      if (!intoInputs && filled) return;
      filled = true;
      latency.value = String(faults.latencyMs);
      jitter.value = String(faults.jitterMs);
      errorRate.value = String(Math.round(faults.errorRate * 1000) / 10);
      errorCode.value = faults.errorCode || "UNAVAILABLE";
    },
  };
}

/** "300 ms ± 20 ms, 25 % INTERNAL" or "no faults". */
export function describeFaults(
  faults: Pick<FaultSettings, "latencyMs" | "jitterMs" | "errorRate" | "errorCode">,
): string {
  const parts: string[] = [];
  if (faults.latencyMs > 0 || faults.jitterMs > 0)
    parts.push(`${faults.latencyMs} ms${faults.jitterMs > 0 ? ` + up to ${faults.jitterMs} ms` : ""} late`);
  if (faults.errorRate > 0)
    parts.push(`${Math.round(faults.errorRate * 1000) / 10} % ${faults.errorCode || "UNAVAILABLE"}`);
  return parts.length === 0 ? "no faults" : parts.join(", ");
}

function title(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
