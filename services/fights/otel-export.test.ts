import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { launchSystem, type ProcessSystem } from "../../testkit/processes/service-processes.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../../testkit/otlp-receiver.js";
import { waitFor } from "../../testkit/wait-for.js";

const upstreams = [
  ["heroes", "superheroes.hero.v1.HeroService/GetRandomHero"],
  ["villains", "superheroes.villain.v1.VillainService/GetRandomVillain"],
  ["locations", "superheroes.location.v1.LocationService/GetRandomLocation"],
] as const;

// Four real processes on PostgreSQL, exporting to a real OTLP/HTTP receiver in this process.
describe("OpenTelemetry traces of one fight across the four services (real processes)", { timeout: 180_000 }, () => {
  let receiver: OtlpReceiver;
  let system: ProcessSystem;
  before(async () => {
    receiver = await startOtlpReceiver();
    // Short batch delay: spans leave each process 50 ms after they end instead of 5 s.
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "50", LOG_LEVEL: "info" };
    system = await launchSystem({ heroes: otel, villains: otel, locations: otel, fights: otel });
  });
  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it("exports one trace with server, client and stage spans of all four services, parented as the calls went", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const callerSpanId = "b7ad6b7169203331";
    const metadata = new Metadata();
    metadata.set("traceparent", `00-${traceId}-${callerSpanId}-01`);
    const fight = await system.client.methods.performRandomFight({}, { metadata, deadline: Date.now() + 10_000 });
    const { winner, loser, location } = fight.fight ?? {};
    assert.deepEqual([winner?.fallback, loser?.fallback, location?.fallback], [false, false, false]);

    const spans = () => receiver.spans().filter((span) => span.traceId === traceId);
    const find = (service: string, name: string) => spans().find((s) => s.serviceName === service && s.name === name);
    await waitFor(
      "the server spans of all four services",
      () =>
        find("fights", "superheroes.fight.v1.FightService/PerformRandomFight") !== undefined &&
        upstreams.every(([service, method]) => find(service, method) !== undefined) &&
        find("fights", "commit") !== undefined,
      15_000,
    );
    assert.equal(receiver.rejected(), 0);
    assert.deepEqual([...new Set(spans().map((span) => span.serviceName))].sort(), [
      "fights",
      "heroes",
      "locations",
      "villains",
    ]);

    const fightSpan = find("fights", "superheroes.fight.v1.FightService/PerformRandomFight")!;
    assert.equal(fightSpan.kind, "server");
    assert.equal(fightSpan.parentSpanId, callerSpanId, "the fights server span is the caller's child");
    assert.equal(fightSpan.attributes["rpc.status_code"], "OK");
    for (const stage of ["rules", "commit"]) assertChild(find("fights", stage), fightSpan, "internal");

    for (const [service, method] of upstreams) {
      const pick = find("fights", `pick_${service}`);
      assertChild(pick, fightSpan, "internal");
      // The fight was alone: one coalesced batch of one, its single-row call, the upstream's span.
      const batch = find("fights", `coalesced_batch_${service}`);
      assertChild(batch, pick!, "internal");
      assert.equal(batch!.attributes["fights.batch.callers"], 1);
      const clientSpan = find("fights", method);
      assertChild(clientSpan, batch!, "client");
      assert.equal(clientSpan!.attributes["peer.service"], service);
      const serverSpan = find(service, method);
      assertChild(serverSpan, clientSpan!, "server");
      assert.equal(serverSpan!.attributes["rpc.status_code"], "OK");
    }

    // The log lines carry the same trace id as the exported spans.
    for (const name of ["heroes", "villains", "locations", "fights"] as const) {
      const line = system[name]
        .current()
        .lines()
        .find((logLine) => logLine.msg === "call" && logLine.traceId === traceId);
      assert.ok(line !== undefined, `${name} logged the call under trace ${traceId}`);
    }
  });

  it("exports a server span for a fight over the Connect edge, child of the browser's traceparent", async () => {
    const traceId = "5b8efff798038103d269b633813fc60c";
    const callerSpanId = "eee19b7ec3c1b174";
    const response = await fetch(
      `http://127.0.0.1:${system.fights.webPort}/superheroes.fight.v1.FightService/PerformRandomFight`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "connect-protocol-version": "1",
          traceparent: `00-${traceId}-${callerSpanId}-01`,
        },
        body: "{}",
      },
    );
    assert.equal(response.status, 200, await response.clone().text());
    const spans = () => receiver.spans().filter((span) => span.traceId === traceId);
    const find = (service: string, name: string) => spans().find((s) => s.serviceName === service && s.name === name);
    await waitFor(
      "the Connect server span and the heroes span",
      () =>
        find("fights", "superheroes.fight.v1.FightService/PerformRandomFight") !== undefined &&
        find("heroes", upstreams[0][1]) !== undefined,
      15_000,
    );
    const edgeSpan = find("fights", "superheroes.fight.v1.FightService/PerformRandomFight")!;
    assert.equal(edgeSpan.kind, "server");
    assert.equal(edgeSpan.parentSpanId, callerSpanId);
    assert.equal(edgeSpan.attributes["rpc.system.name"], "connect_rpc");
    assertChild(find("fights", "pick_heroes"), edgeSpan, "internal");
  });
});

function assertChild(span: ReceivedSpan | undefined, parent: ReceivedSpan, kind: ReceivedSpan["kind"]): void {
  assert.ok(span !== undefined, `a child span of ${parent.name} was exported`);
  assert.equal(span.parentSpanId, parent.spanId, `${span.name} (${span.serviceName}) is a child of ${parent.name}`);
  assert.equal(span.kind, kind, `${span.name} is a ${kind} span`);
}
