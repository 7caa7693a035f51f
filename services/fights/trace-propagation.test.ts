import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../platform/calls/grpc-client.js";
import { spawnService, type NodeProcess } from "../../testkit/processes/node-process.js";
import { waitFor } from "../../testkit/wait-for.js";
import { dataServiceEnv } from "../../testkit/systems/fights-system.js";
import type { FighterKind } from "./fighters/fighter-source.js";
import { serviceList } from "../service-list.js";

const kinds: FighterKind[] = ["heroes", "villains", "locations"];

// Four real processes start on a 2-core machine, possibly next to other suites: generous bounds.
describe("trace context across the four services (real processes)", { timeout: 180_000 }, () => {
  const processes = new Map<string, NodeProcess>();
  let client: ServiceClient<typeof FightService>;
  before(async () => {
    const ports = await Promise.all(
      kinds.map(async (kind) => {
        const spawned = spawnService(serviceList[kind].entryPoint, { ...dataServiceEnv(kind), LOG_LEVEL: "info" });
        processes.set(kind, spawned);
        return Number((await spawned.waitForLine((line) => line.msg === `${kind} listening`, 90_000)).grpcPort);
      }),
    );
    const fights = spawnService(serviceList.fights.entryPoint, {
      LOG_LEVEL: "info",
      FIGHTS_GRPC_PORT: "0",
      FIGHTS_ADMIN_PORT: "0",
      FIGHTS_WEB_PORT: "0",
      FIGHTS_FIGHTER_SOURCE: "direct",
      ...Object.fromEntries(
        kinds.map((kind, index) => [`FIGHTS_${kind.toUpperCase()}_TARGET`, `127.0.0.1:${ports[index]}`]),
      ),
    });
    processes.set("fights", fights);
    const listening = await fights.waitForLine((line) => line.msg === "fights listening", 90_000);
    client = createPromiseClient(FightService, `127.0.0.1:${Number(listening.grpcPort)}`);
  });
  after(async () => {
    client?.close();
    await Promise.all([...processes.values()].map((spawned) => spawned.kill()));
  });

  it("logs one fight under the caller's trace id in all four services, and passes x-request-id on", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const metadata = new Metadata();
    metadata.set("traceparent", `00-${traceId}-00f067aa0ba902b7-01`);
    metadata.set("x-request-id", "fight-42");
    await client.methods.performRandomFight({}, { metadata, deadline: Date.now() + 10_000 });
    const callLine = (service: string) =>
      processes
        .get(service)!
        .lines()
        .find((line) => line.traceId === traceId && line.msg === "call");
    await waitFor(
      "an access log line with the trace id in every service",
      () => [...processes.keys()].every((service) => callLine(service) !== undefined),
      5_000,
    );
    assert.equal(callLine("fights")?.grpc_method, "PerformRandomFight");
    assert.equal(callLine("heroes")?.grpc_method, "GetRandomHero");
    assert.equal(callLine("villains")?.grpc_method, "GetRandomVillain");
    assert.equal(callLine("locations")?.grpc_method, "GetRandomLocation");
    assert.deepEqual(
      [...processes.keys()].map((service) => callLine(service)?.requestId),
      ["fight-42", "fight-42", "fight-42", "fight-42"],
    );
  });
});
