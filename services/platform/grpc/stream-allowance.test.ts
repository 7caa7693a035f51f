import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, constants, type ClientHttp2Session } from "node:http2";
import { describe, it } from "node:test";
import { nodePublishesOn } from "../../../testkit/http2-channels.js";
import { createGate, type Gate } from "../../../testkit/gate.js";
import { startTestGrpcServer, type TestGrpcServer } from "../../../testkit/grpc/test-grpc-server.js";
import { waitFor } from "../../../testkit/wait-for.js";

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

/** Starts a raw gRPC call on `session`; resolves with its grpc-status, or REFUSED_STREAM if reset unread. */
function call(session: ClientHttp2Session): Promise<string> {
  return new Promise((resolve) => {
    let status = "NO_STATUS";
    const stream = session.request({
      ":method": "POST",
      ":path": getHeroPath,
      "content-type": "application/grpc",
      te: "trailers",
    });
    const take = (headers: Record<string, unknown>) => {
      if (headers["grpc-status"] !== undefined) status = String(headers["grpc-status"]);
    };
    stream
      .on("response", take)
      .on("trailers", take)
      .on("data", () => undefined);
    stream.on("error", () => undefined);
    stream.on("close", () => resolve(stream.rstCode === constants.NGHTTP2_REFUSED_STREAM ? "REFUSED_STREAM" : status));
    stream.end(heroOne);
  });
}

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
    "holds each connection to its share of the limit while the server refuses calls, and gives 100 back a second after",
    needsChannels,
    async (t) => {
      const { test, gate } = await gatedServer(4);
      t.after(() => test.close());
      const sessions = await Promise.all(Array.from({ length: 10 }, () => connectTo(test.server.port)));
      t.after(() => sessions.forEach((session) => session.close()));
      assert.ok(
        sessions.every((session) => allowed(session) === 100),
        "100 streams each before any refusal",
      );
      // One call on each connection: the first four to arrive take the server's places and wait.
      const calls = settling(sessions.map((session) => call(session)));
      await gate.waiting(4);
      assert.deepEqual(
        await calls.first(6),
        Array(6).fill("8"),
        "the six past the ceiling are refused with RESOURCE_EXHAUSTED",
      );

      // Twice the limit over ten connections is 0.8: every connection is held to the floor of 4.
      await waitFor("every connection held to 4 streams", () => sessions.every((session) => allowed(session) === 4));
      assert.equal(test.server.streamAllowance.current(), 4);
      assert.equal(test.server.streamAllowance.connections(), 10);

      gate.open();
      assert.deepEqual(
        await calls.first(10),
        [...Array(6).fill("8"), ...Array(4).fill("0")],
        "the admitted calls are served",
      );
      const released = performance.now();
      await waitFor("100 streams again", () => sessions.every((session) => allowed(session) === 100));
      const backMs = performance.now() - released;
      assert.ok(backMs >= 500, `not given back while the server may still be shedding (${backMs.toFixed(0)} ms)`);
      assert.equal(test.server.streamAllowance.current(), 100);
      assert.equal(await call(sessions[0]!), "0", "calls are served as before");
    },
  );

  it("never holds a lone connection below what the server would let in", needsChannels, async (t) => {
    const { test, gate } = await gatedServer(20);
    t.after(() => test.close());
    const session = await connectTo(test.server.port);
    t.after(() => session.close());
    const calls = settling(Array.from({ length: 30 }, () => call(session)));
    await gate.waiting(20);
    assert.deepEqual(
      await calls.first(10),
      Array(10).fill("8"),
      "the ten past the ceiling are refused with RESOURCE_EXHAUSTED",
    );
    // Its share is twice the whole limit: 40 streams, more than the server lets in at once.
    await waitFor("the lone connection held to 40 streams", () => allowed(session) === 40);
    gate.open();
    assert.deepEqual((await calls.first(30)).slice(10), Array(20).fill("0"));
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
    assert.equal(await call(caller), "8");
    await waitFor("the flooded server's connection held to 4 streams", () => allowed(caller) === 4);
    assert.equal(allowed(bystander), 100, "the other server's connection keeps its 100 streams");
    assert.equal(other.test.server.streamAllowance.connections(), 1);
    flooded.gate.open();
    assert.equal(await first, "0");
  });
});
