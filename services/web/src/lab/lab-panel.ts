import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";
import type { GetLabResponse, UpstreamLab } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { h, replace } from "../dom.js";
import { describeError } from "../errors.js";
import { unaryCall, type FightClient } from "../fight-client.js";
import { type LabActions, runLabAction as run } from "./lab-actions.js";
import { createLabDemos } from "./lab-demos.js";
import { renderUpstreamFaults, type FaultsForm } from "./lab-faults-form.js";
import { startPoller } from "../timing.js";

/** Options of `startLabPanel`. */
export interface LabPanelOptions {
  client: FightClient;
  signal: AbortSignal;
  /** Time between GetLab polls, ms; default 3 000. */
  intervalMs?: number;
}

const tokenKey = "superheroes.adminToken";

/**
 * The resilience lab: per data service that allows fault injection, its latency, jitter, error
 * rate and error code (SetUpstreamFaults → that service's FaultService), the lab traffic
 * (SetLabTraffic) and the scripted demos. Hidden when no data service allows faults or when this
 * browser may not use the lab (PERMISSION_DENIED: not on fights' machine and no admin token set);
 * asks for the admin token when fights has one (UNAUTHENTICATED).
 */
export function startLabPanel(root: HTMLElement, options: LabPanelOptions): void {
  const { client } = options;
  const status = h("p", { class: "lab-status", role: "status", "aria-live": "polite" });
  const tokenForm = renderTokenForm(() => poller.refresh());
  const traffic = h("p", { class: "lab-traffic-state", "data-rate": "0" }, "Lab traffic: off");
  const services = h("div", { class: "lab-services" });
  const say = (text: string, kind: "info" | "error" = "info") => {
    status.dataset["kind"] = kind;
    status.textContent = text;
  };
  const call = (): CallOptions => {
    const token = sessionStorage.getItem(tokenKey);
    return { ...unaryCall, ...(token === null ? {} : { headers: { authorization: `Bearer ${token}` } }) };
  };
  let lab: GetLabResponse | undefined;
  const forms = new Map<string, FaultsForm>();
  const actions: LabActions = {
    enabled: () => (lab?.upstreams ?? []).filter((upstream) => upstream.faultsEnabled).map((upstream) => upstream.name),
    trafficRate: () => lab?.traffic?.fightsPerSecond ?? 0,
    async setFaults(upstream, faults) {
      const { upstream: changed } = await client.setUpstreamFaults({ upstream, faults }, call());
      if (changed !== undefined) forms.get(upstream)?.show(changed, true);
    },
    async setTraffic(fightsPerSecond, durationSeconds) {
      await client.setLabTraffic({ fightsPerSecond, durationSeconds }, call());
    },
    say,
    refresh: () => poller.refresh(),
  };
  const demos = createLabDemos(actions);
  root.append(
    h(
      "p",
      { class: "lab-intro" },
      "Break a data service on purpose and watch the breakers, fallbacks and charts answer. ",
      "Changes go through each service's own fault injection.",
    ),
    tokenForm.element,
    demos.element,
    renderTrafficControls(actions, traffic),
    services,
    status,
  );
  const poller = startPoller(
    async (signal) => {
      try {
        lab = await client.getLab({}, { ...call(), signal });
      } catch (error) {
        if (signal.aborted) return;
        const code = ConnectError.from(error).code;
        if (code === Code.PermissionDenied) {
          root.hidden = true;
          return;
        }
        root.hidden = false;
        tokenForm.element.hidden = code !== Code.Unauthenticated;
        if (code === Code.Unauthenticated) {
          say("The lab needs fights' admin token (FIGHTS_ADMIN_TOKEN).");
          demos.element.hidden = true;
        } else say(`Lab state unknown: ${describeError(error)}.`, "error");
        return;
      }
      tokenForm.element.hidden = true;
      const enabled = lab.upstreams.filter((upstream) => upstream.faultsEnabled);
      root.hidden = enabled.length === 0;
      demos.element.hidden = false;
      demos.update(lab);
      showTraffic(traffic, lab);
      renderServices(services, lab.upstreams, forms, actions);
    },
    options.intervalMs ?? 3_000,
    options.signal,
  );
}

/** One form per data service that allows faults (made once, then updated), a line for the others. */
function renderServices(
  root: HTMLElement,
  upstreams: readonly UpstreamLab[],
  forms: Map<string, FaultsForm>,
  actions: LabActions,
): void {
  const names = upstreams.map((upstream) => `${upstream.name}:${upstream.faultsEnabled}`).join(",");
  if (root.dataset["services"] !== names) {
    root.dataset["services"] = names;
    forms.clear();
    replace(
      root,
      ...upstreams.map((upstream) => {
        if (!upstream.faultsEnabled) return h("p", { class: "lab-off" }, upstream.unavailableReason);
        const form = renderUpstreamFaults(upstream, actions);
        forms.set(upstream.name, form);
        return form.element;
      }),
    );
  }
  for (const upstream of upstreams) forms.get(upstream.name)?.show(upstream, false);
}

function renderTrafficControls(actions: LabActions, state: HTMLElement): HTMLElement {
  const rate = h("input", {
    id: "lab-traffic-rate",
    type: "number",
    min: 1,
    max: 200,
    step: 1,
    value: 50,
    inputmode: "numeric",
  });
  const start = h("button", { type: "button", class: "button secondary small" }, "Start");
  const stop = h("button", { type: "button", class: "button secondary small" }, "Stop");
  start.addEventListener("click", () =>
    run(actions, async () => {
      await actions.setTraffic(Number(rate.value), 300);
      actions.say(`Lab traffic: ${rate.value} fights/s for 5 minutes.`);
    }),
  );
  stop.addEventListener("click", () =>
    run(actions, async () => {
      await actions.setTraffic(0, 0);
      actions.say("Lab traffic stopped.");
    }),
  );
  return h(
    "fieldset",
    { class: "lab-traffic" },
    h("legend", {}, "Lab traffic"),
    h("label", { for: "lab-traffic-rate" }, "Lab fights per second"),
    rate,
    start,
    stop,
    state,
  );
}

function showTraffic(element: HTMLElement, lab: GetLabResponse): void {
  const rate = lab.traffic?.fightsPerSecond ?? 0;
  const input = document.getElementById("lab-traffic-rate") as HTMLInputElement | null;
  // The running rate (a demo may have raised it), unless someone is typing a new one.
  if (input !== null && rate > 0 && document.activeElement !== input) input.value = String(rate);
  element.dataset["rate"] = String(rate);
  const stopsAt = lab.traffic?.stopsAt === undefined ? undefined : timestampMs(lab.traffic.stopsAt);
  element.textContent =
    rate === 0 || stopsAt === undefined
      ? "Lab traffic: off"
      : `Lab traffic: ${rate} fights/s, stops in ${Math.max(0, Math.round((stopsAt - Date.now()) / 1000))} s`;
}

function renderTokenForm(onSaved: () => void): { element: HTMLElement } {
  const input = h("input", { id: "lab-token", type: "password", autocomplete: "off" });
  const save = h("button", { type: "submit", class: "button secondary small" }, "Unlock");
  const element = h(
    "form",
    { class: "lab-token", hidden: true },
    h("label", { for: "lab-token" }, "Admin token (FIGHTS_ADMIN_TOKEN)"),
    input,
    save,
  );
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(tokenKey, input.value);
    onSaved();
  });
  return { element };
}
