import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { type ClientReadableStream, Metadata, status as Status } from "@grpc/grpc-js";
import { FightService, WatchFightsRequestSchema } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { grpcDefinitionFromDesc } from "../platform/grpc/grpc-definition.js";
import { adminRequest, readMetric } from "../../testkit/processes/admin-client.js";
import { setTimeout as sleep } from "node:timers/promises";
import { closeLatencyWindow } from "../../testkit/latency-window.js";
import { waitFor } from "../../testkit/wait-for.js";
import { startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";

const busy =
  "server busy: more than 1 calls in flight (a limit that follows this server's latency); retry with backoff";

interface LimitStats {
  limit: number;
  inFlight: number;
  unaryInFlight: number;
  windowRttMs?: number | null;
  shed: { adaptive: number; ceiling: number; deadline: number };
}

const limitStats = async (system: FightsSystem) =>
  ((await adminRequest(system.fights.adminPort, "/stats")).body as { concurrencyLimit: LimitStats }).concurrencyLimit;

describe("fights load shedding on both edges", () => {
  let system: FightsSystem;
  before(async () => {
    // Every fight waits 1.5 s on heroes, so a call stays in flight; the adaptive limit is pinned at 1.
    system = await startFightsSystem({
      heroes: { HEROES_FAULT_LATENCY_MS: "1500" },
      fights: {
        FIGHTS_FIGHTER_SOURCE: "direct",
        FIGHTS_HEROES_TIMEOUT_MS: "5000",
        FIGHTS_BREAKER_ENABLED: "false",
        FIGHTS_CONCURRENCY_MIN_LIMIT: "1",
        FIGHTS_CONCURRENCY_INITIAL_LIMIT: "1",
        FIGHTS_MAX_IN_FLIGHT: "3",
      },
    });
  });
  after(() => system.stop());

  it("shares one limiter between the gRPC and the Connect edge, and lets WatchFights streams past the adaptive limit", async () => {
    const stats = () => limitStats(system);
    const connect = createClient(
      FightService,
      createConnectTransport({ baseUrl: `http://127.0.0.1:${system.fights.webPort}`, httpVersion: "1.1" }),
    );
    const held = system.client.methods.performRandomFight({}, { deadline: Date.now() + 10_000 });
    await waitFor("the gRPC fight to hold the one slot", async () => (await stats()).unaryInFlight === 1);

    await assert.rejects(connect.performRandomFight({}, { timeoutMs: 5000 }), (error: unknown) => {
      assert.ok(error instanceof ConnectError);
      assert.deepEqual([error.code, error.rawMessage], [Code.ResourceExhausted, busy]);
      return true;
    });
    await assert.rejects(system.client.methods.getFightStats({}, { deadline: Date.now() + 5000 }), {
      code: Status.RESOURCE_EXHAUSTED,
      details: busy,
    });

    // A page's live feed is not a unary call: it takes a slot of the ceiling only.
    const watchers = [watch(system), watch(system)];
    await waitFor("both watchers in flight", async () => (await stats()).inFlight === 3);
    // The ceiling (3) is full now: even a stream is refused.
    const third = watch(system);
    assert.deepEqual(await third.ended, {
      code: Status.RESOURCE_EXHAUSTED,
      details: "server busy: more than 3 calls in flight; retry with backoff",
    });
    for (const watcher of watchers) watcher.stream.cancel();
    await waitFor("the watchers' slots released", async () => (await stats()).inFlight === 1);

    assert.ok((await held).fight !== undefined, "the held fight was served");
    const after = await stats();
    assert.deepEqual([after.inFlight, after.shed], [0, { adaptive: 2, ceiling: 1, deadline: 0 }]);
    assert.equal(await readMetric(system.fights.adminPort, "grpc_server_shed_total", { limit: "adaptive" }), 2);
    const served = await connect.getFightStats({}, { timeoutMs: 5000 });
    assert.equal(typeof served.heroWins, "bigint", "the Connect edge serves again once the slot is free");
  });
});

describe("the deadline rule of load shedding on the Connect and gRPC-Web edge", () => {
  let system: FightsSystem;
  before(async () => {
    // Every fight waits 1 s on heroes: that is how long calls take here while the test runs.
    system = await startFightsSystem({
      heroes: { HEROES_FAULT_LATENCY_MS: "1000" },
      fights: {
        FIGHTS_FIGHTER_SOURCE: "direct",
        FIGHTS_HEROES_TIMEOUT_MS: "5000",
        FIGHTS_BREAKER_ENABLED: "false",
        FIGHTS_CONCURRENCY_MIN_LIMIT: "2",
        FIGHTS_CONCURRENCY_INITIAL_LIMIT: "12",
        FIGHTS_MAX_IN_FLIGHT: "100",
        FIGHTS_SLOW_CALL_MS: "5000",
      },
    });
  });
  after(() => system.stop());

  it("while shedding, refuses at once a browser call whose timeout is shorter than calls take, and serves a longer one", async () => {
    const baseUrl = `http://127.0.0.1:${system.fights.webPort}`;
    const connect = createClient(FightService, createConnectTransport({ baseUrl, httpVersion: "1.1" }));
    const grpcWeb = createClient(FightService, createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }));
    const grpcFight = () => system.client.methods.performRandomFight({}, { deadline: Date.now() + 10_000 });
    // One window of ~1 s calls: what "calls take here now" is.
    await closeLatencyWindow({ minRttMs: 1_000, maxInFlight: 12, state: () => limitStats(system), call: grpcFight });
    // Fill the limit and keep being refused until those calls end: the server sheds.
    const { limit } = await limitStats(system);
    let heldDone = false;
    const held = Promise.all(Array.from({ length: limit }, grpcFight)).finally(() => (heldDone = true));
    await waitFor("the limit full", async () => (await limitStats(system)).unaryInFlight === limit);
    const refused: Promise<unknown>[] = [];
    while (!heldDone) {
      refused.push(grpcFight().catch((error: unknown) => error));
      await sleep(50);
    }
    await held;
    // Places are free again, but the server refused calls a moment ago: a browser call that
    // cannot wait ~1 s is refused at once, over both protocols of the web edge.
    const deadlineBusy =
      /^server busy: calls take up to ~\d+ ms here now and this one has \d+ ms left; retry with backoff, or with a longer deadline$/;
    for (const client of [connect, grpcWeb]) {
      const started = performance.now();
      await assert.rejects(client.performRandomFight({}, { timeoutMs: 500 }), (error: unknown) => {
        assert.ok(error instanceof ConnectError);
        assert.equal(error.code, Code.ResourceExhausted);
        assert.match(error.rawMessage, deadlineBusy);
        return true;
      });
      assert.ok(performance.now() - started < 500, "refused at once, not after its timeout");
    }
    assert.equal(await readMetric(system.fights.adminPort, "grpc_server_shed_total", { limit: "deadline" }), 2);
    const served = await connect.performRandomFight({}, { timeoutMs: 5_000 });
    assert.ok(served.fight !== undefined, "a call that can wait is served");
    await Promise.all(refused);
    const after = await limitStats(system);
    assert.equal(after.inFlight, 0, "refused calls hold no slot");
  });
});

function watch(system: FightsSystem) {
  const { path, requestSerialize, responseDeserialize } = grpcDefinitionFromDesc(FightService).watchFights!;
  const stream = system.client.grpc.makeServerStreamRequest(
    path,
    requestSerialize,
    responseDeserialize,
    create(WatchFightsRequestSchema),
    new Metadata(),
  ) as ClientReadableStream<unknown>;
  stream.on("data", () => {});
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    stream.on("error", (error: { code: number; details: string }) =>
      resolve({ code: error.code, details: error.details }),
    );
    stream.on("end", () => resolve({ code: Status.OK, details: "" }));
  });
  return { stream, ended };
}
