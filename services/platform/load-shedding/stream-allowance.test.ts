import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type ClientHttp2Session } from "node:http2";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { nodePublishesOn } from "../../../testkit/http2-channels.js";
import { callOnSession } from "../../../testkit/grpc/session-call.js";
import { createGate, type Gate } from "../../../testkit/gate.js";
import { startTestGrpcServer, type TestGrpcServer } from "../../../testkit/grpc/test-grpc-server.js";
import { waitFor } from "../../../testkit/wait-for.js";
import { shareOf } from "./stream-allowance.js";

const getHeroPath = "/superheroes.hero.v1.HeroService/GetHero";
const heroOne = Buffer.from([0, 0, 0, 0, 2, 0x08, 0x01]); // a gRPC frame of GetHeroRequest{id: 1}

/** A server whose calls wait at `gate`, at most `maxInFlight` at once (fixed limit: the ceiling alone). */
async function gatedServer(maxInFlight: number): Promise<{ test: TestGrpcServer; gate: Gate }> {
  const gate = createGate();
  const test = await startTestGrpcServer({ maxInFlight, hold: () => gate.pass() });
  return { test, gate };
}

async function connectTo(port: number): Promise<ClientHttp2Session> {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on("error", () => undefined);
  await once(session, "remoteSettings");
  return session;
}

/** A raw GetHero call on `session`: its grpc-status, or REFUSED_STREAM if reset unread. */
const call = (session: ClientHttp2Session) => callOnSession(session, getHeroPath, heroOne);

/** Calls' outcomes in the order they end: `first(n)` resolves with the first n to end. */
function settling(calls: Promise<string>[]): { first(count: number): Promise<string[]> } {
  const ended: string[] = [];
  const waiters: (() => void)[] = [];
  for (const pending of calls)
    void pending.then((code) => {
      ended.push(code);
      waiters.splice(0).forEach((wake) => wake());
    });
  return {
    async first(count) {
      while (ended.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return ended.slice(0, count);
    },
  };
}

const allowed = (session: ClientHttp2Session) => session.remoteSettings.maxConcurrentStreams;

describe("the HTTP/2 stream allowance of a gRPC server", { timeout: 30_000 }, async () => {
  const supported = await nodePublishesOn("http2.server.stream.start");
  const needsChannels = { skip: supported ? false : "this Node does not publish http2 stream starts" };

  it(
    "holds each connection to its share of the limit while the server is flooded, and gives 100 back after",
    needsChannels,
    async (t) => {
      const { test, gate } = await gatedServer(2);
      t.after(() => test.close());
      const sessions = await Promise.all(Array.from({ length: 10 }, () => connectTo(test.server.port)));
      t.after(() => sessions.forEach((session) => session.close()));
      assert.ok(
        sessions.every((session) => allowed(session) === 100),
        "100 streams each before any refusal",
      );
      // Five calls on each connection: the first two to arrive take the server's places and wait.
      const calls = settling(sessions.flatMap((session) => Array.from({ length: 5 }, () => call(session))));
      await gate.waiting(2);
      assert.deepEqual(
        await calls.first(48),
        Array(48).fill("8"),
        "the 48 past the ceiling are refused with RESOURCE_EXHAUSTED: 24 refusals per admission, a flood",
      );

      // The limit and 16 spare streams are 18 between ten connections: eight may keep 2, two 1.
      const shares = () => sessions.map((session) => allowed(session) ?? 0).sort((a, b) => a - b);
      await waitFor("the connections held to 18 streams between them", () => shares().join() === "1,1,2,2,2,2,2,2,2,2");
      assert.equal(test.server.streamAllowance.current(), 2);
      assert.equal(test.server.streamAllowance.connections(), 10);

      gate.open();
      assert.deepEqual((await calls.first(50)).slice(48), ["0", "0"], "the admitted calls are served");
      const released = performance.now();
      await waitFor("100 streams again", () => sessions.every((session) => allowed(session) === 100), 10_000);
      const backMs = performance.now() - released;
      assert.ok(backMs >= 500, `not given back while the flood may go on (${backMs.toFixed(0)} ms)`);
      assert.equal(test.server.streamAllowance.current(), 100);
      assert.equal(await call(sessions[0]!), "0", "calls are served as before");
    },
  );

  it("leaves connections alone while the server turns a few calls away near its capacity", needsChannels, async (t) => {
    const { test, gate } = await gatedServer(20);
    t.after(() => (gate.open(), test.close()));
    const session = await connectTo(test.server.port);
    t.after(() => session.close());
    const calls = settling(Array.from({ length: 22 }, () => call(session)));
    await gate.waiting(20);
    assert.deepEqual(await calls.first(2), ["8", "8"], "the two past the ceiling are refused");
    await sleep(300); // three of the allowance's looks at the server
    assert.equal(allowed(session), 100, "two refusals for 20 admissions are not a flood");
    assert.equal(test.server.streamAllowance.current(), 100);
  });

  it("never holds a lone connection below what the server would let in", needsChannels, async (t) => {
    const { test, gate } = await gatedServer(20);
    t.after(() => test.close());
    const session = await connectTo(test.server.port);
    t.after(() => session.close());
    // 20 held and 100 refused (the connection keeps at most 100 open, so the last 20 go out as
    // places free): five refusals per admission.
    const calls = settling(Array.from({ length: 120 }, () => call(session)));
    await gate.waiting(20);
    const early = await calls.first(100);
    assert.deepEqual(
      early.filter((code) => code !== "8" && code !== "REFUSED_STREAM"),
      [],
      "the hundred past the ceiling are refused (or reset unread past the lowered setting)",
    );
    // Its share is the whole limit and the 16 spare streams: 36, more than the server lets in at once.
    await waitFor("the lone connection held to 36 streams", () => allowed(session) === 36);
    gate.open();
    assert.deepEqual((await calls.first(120)).slice(100), Array(20).fill("0"));
  });

  it("leaves connections to other servers of the process alone", needsChannels, async (t) => {
    const flooded = await gatedServer(1);
    const other = await gatedServer(100);
    t.after(() => Promise.all([flooded.test.close(), other.test.close()]));
    other.gate.open();
    const bystander = await connectTo(other.test.server.port);
    const caller = await connectTo(flooded.test.server.port);
    t.after(() => [bystander, caller].forEach((session) => session.close()));
    assert.equal(await call(bystander), "0");
    const first = call(caller);
    await flooded.gate.waiting(1);
    const refused = await Promise.all(Array.from({ length: 25 }, () => call(caller)));
    assert.deepEqual(refused, Array(25).fill("8"), "25 refusals for one admission: a flood");
    await waitFor("the flooded server's connection held to 17 streams", () => allowed(caller) === 17);
    assert.equal(allowed(bystander), 100, "the other server's connection keeps its 100 streams");
    assert.equal(other.test.server.streamAllowance.connections(), 1);
    flooded.gate.open();
    assert.equal(await first, "0");
  });
});

describe("a flooded connection's share of streams", () => {
  it("splits the total between the connections as evenly as whole streams allow, adding up to it", () => {
    for (const [total, count] of [
      [70, 31],
      [18, 10],
      [36, 1],
      [5, 8],
      [120, 30],
    ] as const) {
      const shares = Array.from({ length: count }, (_, index) => shareOf(total, index, count));
      assert.equal(
        shares.reduce((sum, share) => sum + share, 0),
        total,
        `${total} streams over ${count} connections`,
      );
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1, `even: ${shares.join()}`);
    }
  });
});
