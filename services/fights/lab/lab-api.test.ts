import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Metadata, status as Status } from "@grpc/grpc-js";
import { BreakerState, FightService, Team } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { FaultService } from "../../../gen/superheroes/fault/v1/fault_service_pb.js";
import { createPromiseClient } from "../../platform/calls/grpc-client.js";
import { startFightsSystem, type FightsSystem } from "../../../testkit/systems/fights-system.js";
import { grpcFailure } from "../../../testkit/grpc/call-failure.js";

/** The code and message a rejected Connect call ended with. */
async function connectFailure(call: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await call;
  } catch (error: unknown) {
    if (error instanceof ConnectError) return { code: error.code, message: error.rawMessage };
    throw error;
  }
  throw new Error("expected the call to fail");
}

function webClient(baseUrl: string, headers: Record<string, string> = {}): Client<typeof FightService> {
  return createClient(
    FightService,
    createConnectTransport({
      baseUrl,
      httpVersion: "1.1",
      interceptors: [
        (next) => (request) => {
          for (const [key, value] of Object.entries(headers)) request.header.set(key, value);
          return next(request);
        },
      ],
    }),
  );
}

const noFaults = { latencyMs: 0, jitterMs: 0, errorRate: 0, errorCode: "UNAVAILABLE" };

describe("the lab RPCs of FightService", () => {
  let system: FightsSystem;
  let web: Client<typeof FightService>;
  before(async () => {
    system = await startFightsSystem({ villains: { VILLAINS_FAULTS_ENABLED: "false" } });
    web = webClient(`http://127.0.0.1:${system.fights.webPort}`);
  });
  after(() => system.stop());

  it("sets a data service's faults through its FaultService, shows them in GetLab, and clears them", async () => {
    const set = await web.setUpstreamFaults({
      upstream: "heroes",
      faults: { latencyMs: 300, jitterMs: 20, errorRate: 0.25, errorCode: "INTERNAL" },
    });
    assert.deepEqual(
      { ...set.upstream?.faults, $typeName: undefined },
      { $typeName: undefined, latencyMs: 300, jitterMs: 20, errorRate: 0.25, errorCode: "INTERNAL" },
    );
    assert.deepEqual(system.data.heroes.faults?.current(), {
      latencyMs: 300,
      jitterMs: 20,
      errorRate: 0.25,
      errorCode: "INTERNAL",
    });
    const lab = await web.getLab({});
    const heroes = lab.upstreams.find((upstream) => upstream.name === "heroes");
    assert.equal(heroes?.faultsEnabled, true);
    assert.equal(heroes?.faults?.latencyMs, 300);
    await web.setUpstreamFaults({ upstream: "heroes", faults: {} });
    assert.deepEqual(system.data.heroes.faults?.current(), noFaults);
  });

  it("clears faults even while the data service fails every call: FaultService is never faulted", async () => {
    await web.setUpstreamFaults({ upstream: "locations", faults: { errorRate: 1, latencyMs: 60_000 } });
    // Faulted, this call would wait 60 s and outlive its 10 s deadline, or fail.
    await web.setUpstreamFaults({ upstream: "locations", faults: {} }, { timeoutMs: 10_000 });
    assert.deepEqual(system.data.locations.faults?.current(), noFaults);
  });

  const invalid: { name: string; request: Parameters<typeof web.setUpstreamFaults>[0]; message: string }[] = [
    {
      name: "latency above 60 s",
      request: { upstream: "heroes", faults: { latencyMs: 60_001 } },
      message: "faults.latency_ms: must be an integer from 0 to 60000",
    },
    {
      name: "negative jitter",
      request: { upstream: "heroes", faults: { jitterMs: -1 } },
      message: "faults.jitter_ms: must be an integer from 0 to 60000",
    },
    {
      name: "error rate above 1",
      request: { upstream: "heroes", faults: { errorRate: 1.5 } },
      message: "faults.error_rate: must be a number from 0 to 1",
    },
    {
      name: "an unknown status name",
      request: { upstream: "heroes", faults: { errorRate: 1, errorCode: "BROKEN" } },
      message: "faults.error_code: must be a gRPC status name other than OK, e.g. UNAVAILABLE",
    },
    {
      name: "OK as the error",
      request: { upstream: "heroes", faults: { errorCode: "OK" } },
      message: "faults.error_code: must be a gRPC status name other than OK, e.g. UNAVAILABLE",
    },
    {
      name: "no settings",
      request: { upstream: "heroes" },
      message: "faults: is required (all zero clears the faults)",
    },
    {
      name: "an unknown upstream",
      request: { upstream: "dragons", faults: {} },
      message: 'upstream: must be heroes, villains or locations, got "dragons"',
    },
  ];
  for (const { name, request, message } of invalid) {
    it(`refuses ${name} with INVALID_ARGUMENT and changes nothing`, async () => {
      assert.deepEqual(await connectFailure(web.setUpstreamFaults(request)), { code: Code.InvalidArgument, message });
      assert.deepEqual(system.data.heroes.faults?.current(), noFaults);
    });
  }

  it("refuses lab traffic out of range with INVALID_ARGUMENT", async () => {
    assert.deepEqual(await connectFailure(web.setLabTraffic({ fightsPerSecond: 201 })), {
      code: Code.InvalidArgument,
      message: "fights_per_second: must be an integer from 0 (off) to 200, got 201",
    });
    assert.deepEqual(await connectFailure(web.setLabTraffic({ fightsPerSecond: 5, durationSeconds: 601 })), {
      code: Code.InvalidArgument,
      message: "duration_seconds: must be an integer from 1 to 600 (0 means 300), got 601",
    });
  });

  it("says FAILED_PRECONDITION, naming the variable, for a data service without fault injection", async () => {
    const lab = await web.getLab({});
    const villains = lab.upstreams.find((upstream) => upstream.name === "villains");
    assert.equal(villains?.faultsEnabled, false);
    assert.equal(
      villains?.unavailableReason,
      "villains: GetFaults: fault injection is disabled here; start the service with VILLAINS_FAULTS_ENABLED=true to allow it",
    );
    assert.deepEqual(await connectFailure(web.setUpstreamFaults({ upstream: "villains", faults: { latencyMs: 5 } })), {
      code: Code.FailedPrecondition,
      message:
        "villains: SetFaults: fault injection is disabled here; start the service with VILLAINS_FAULTS_ENABLED=true to allow it",
    });
  });

  it("runs lab traffic that stores fights, shows it in GetLab, and stops it", async () => {
    const before = (await system.client.methods.getFightStats({})).heroWins;
    const started = await web.setLabTraffic({ fightsPerSecond: 40, durationSeconds: 30 });
    assert.equal(started.traffic?.fightsPerSecond, 40);
    assert.ok(started.traffic?.stopsAt !== undefined);
    assert.equal((await web.getLab({})).traffic?.fightsPerSecond, 40);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stopped = await web.setLabTraffic({ fightsPerSecond: 0 });
    assert.deepEqual({ ...stopped.traffic, $typeName: undefined }, { $typeName: undefined, fightsPerSecond: 0 });
    const stats = await system.client.methods.getFightStats({});
    assert.ok(stats.heroWins + stats.villainWins > before, "lab fights were stored");
  });

  it("streams a sample every second, the history first, with fights per second and each upstream", async () => {
    await Promise.all(Array.from({ length: 10 }, () => system.client.methods.performRandomFight({})));
    const controller = new AbortController();
    const samples = [];
    for await (const { sample } of web.watchMetrics({}, { signal: controller.signal })) {
      samples.push(sample!);
      if (samples.some((each) => each.fightsPerSecond > 0) && samples.length >= 2) break;
    }
    controller.abort();
    const busy = samples.find((sample) => sample.fightsPerSecond > 0)!;
    assert.deepEqual(
      busy.upstreams.map((upstream) => upstream.name),
      ["heroes", "villains", "locations"],
    );
    assert.ok(busy.fightLatencyP99Ms >= busy.fightLatencyP50Ms && busy.fightLatencyP50Ms > 0);
    assert.ok(busy.upstreams.every((upstream) => upstream.calls > 0n));
    const times = samples.map((sample) => Number(sample.time!.seconds));
    assert.deepEqual(times, [...times].sort(), "oldest first");
  });
});

describe("the admin rules of the lab RPCs", () => {
  let system: FightsSystem;
  before(async () => {
    system = await startFightsSystem({
      heroes: { HEROES_ADMIN_TOKEN: "heroes-secret" },
      fights: { FIGHTS_ADMIN_TOKEN: "fights-secret", FIGHTS_UPSTREAM_ADMIN_TOKEN: "heroes-secret" },
    });
  });
  after(() => system.stop());

  it("answers UNAUTHENTICATED on both edges without fights' token or with a wrong one, and works with it", async () => {
    const base = `http://127.0.0.1:${system.fights.webPort}`;
    const message =
      'GetLab needs the admin token: send "authorization: Bearer <token>" with the value of FIGHTS_ADMIN_TOKEN';
    assert.deepEqual(await connectFailure(webClient(base).getLab({})), { code: Code.Unauthenticated, message });
    assert.deepEqual(await connectFailure(webClient(base, { authorization: "Bearer nope" }).getLab({})), {
      code: Code.Unauthenticated,
      message,
    });
    assert.deepEqual(await grpcFailure(system.client.methods.getLab({})), {
      code: Status.UNAUTHENTICATED,
      details: message,
    });
    const lab = await webClient(base, { authorization: "Bearer fights-secret" }).getLab({});
    assert.deepEqual(
      lab.upstreams.map((upstream) => [upstream.name, upstream.faultsEnabled]),
      [
        ["heroes", true],
        ["villains", true],
        ["locations", true],
      ],
    );
    const metadata = new Metadata();
    metadata.set("authorization", "Bearer fights-secret");
    await system.client.methods.setUpstreamFaults({ upstream: "heroes", faults: { latencyMs: 1 } }, { metadata });
    assert.equal(system.data.heroes.faults?.current().latencyMs, 1);
  });

  it("has a data service refuse FaultService calls without its own token", async () => {
    const heroes = createPromiseClient(FaultService, `127.0.0.1:${system.data.heroes.grpcPort}`);
    try {
      assert.deepEqual(await grpcFailure(heroes.methods.setFaults({ faults: { latencyMs: 9 } })), {
        code: Status.UNAUTHENTICATED,
        details:
          'SetFaults needs the admin token: send "authorization: Bearer <token>" with the value of HEROES_ADMIN_TOKEN',
      });
      assert.notEqual(system.data.heroes.faults?.current().latencyMs, 9);
    } finally {
      heroes.close();
    }
  });
});

describe("the lab RPCs without a token", () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === "IPv4" && !address.internal)?.address;
  let system: FightsSystem;
  before(async () => {
    system = await startFightsSystem({ fights: { FIGHTS_WEB_HOST: "0.0.0.0", FIGHTS_GRPC_HOST: "0.0.0.0" } });
  });
  after(() => system.stop());

  it(
    "answers PERMISSION_DENIED to callers beyond loopback, on both edges, and serves loopback callers",
    { skip: external === undefined ? "this machine has no non-loopback IPv4 address to call from" : false },
    async () => {
      const message = `GetLab is allowed from this machine only while FIGHTS_ADMIN_TOKEN is unset; set FIGHTS_ADMIN_TOKEN and send "authorization: Bearer <token>" to call it from ${external}`;
      assert.deepEqual(await connectFailure(webClient(`http://${external}:${system.fights.webPort}`).getLab({})), {
        code: Code.PermissionDenied,
        message,
      });
      const remote = createPromiseClient(FightService, `${external}:${system.fights.grpcPort}`);
      try {
        assert.deepEqual(await grpcFailure(remote.methods.getLab({})), {
          code: Status.PERMISSION_DENIED,
          details: message,
        });
        assert.equal((await remote.methods.getUpstreamStatus({})).upstreams.length, 3, "public RPCs still answer");
      } finally {
        remote.close();
      }
      assert.equal((await system.client.methods.getLab({})).upstreams.length, 3);
    },
  );

  it("treats a call a proxy on this machine forwarded as a call from beyond loopback", async () => {
    const forwarded = webClient(`http://127.0.0.1:${system.fights.webPort}`, { "x-forwarded-for": "203.0.113.9" });
    assert.deepEqual(await connectFailure(forwarded.getLab({})), {
      code: Code.PermissionDenied,
      message:
        'GetLab is allowed from this machine only while FIGHTS_ADMIN_TOKEN is unset; set FIGHTS_ADMIN_TOKEN and send "authorization: Bearer <token>" to call it from 203.0.113.9 (forwarded by 127.0.0.1)',
    });
  });
});

describe("clearing a data service's faults from the lab", () => {
  let system: FightsSystem;
  let web: Client<typeof FightService>;
  before(async () => {
    // An open time far longer than the test: only the lab's clearing can end the open spell.
    system = await startFightsSystem({
      fights: { FIGHTS_BREAKER_OPEN_MS: "600000", FIGHTS_UPSTREAM_MAX_ATTEMPTS: "1" },
    });
    web = webClient(`http://127.0.0.1:${system.fights.webPort}`);
  });
  after(() => system.stop());

  const heroesStatus = async () =>
    (await web.getUpstreamStatus({})).upstreams.find((upstream) => upstream.name === "heroes")!;

  it("lets the heroes breaker probe at once, since injected faults leave heroes' health SERVING", async () => {
    await web.setUpstreamFaults({ upstream: "heroes", faults: { errorRate: 1, errorCode: "UNAVAILABLE" } });
    for (let round = 0; round < 50 && (await heroesStatus()).breakerState !== BreakerState.OPEN; round += 1) {
      await Promise.all(Array.from({ length: 10 }, () => system.client.methods.performRandomFight({})));
    }
    assert.equal((await heroesStatus()).breakerState, BreakerState.OPEN, "heroes failing every call opens its breaker");
    await web.setUpstreamFaults({ upstream: "heroes", faults: {} });
    const after = await heroesStatus();
    assert.notEqual(after.breakerState, BreakerState.OPEN);
    assert.equal(after.lastTransitionReason, "the lab cleared its faults");
    const { fight } = await system.client.methods.performRandomFight({});
    const hero = [fight?.winner, fight?.loser].find((side) => side?.team === Team.HEROES);
    assert.equal(hero?.fallback, false, "the next fight has a real hero");
  });
});
