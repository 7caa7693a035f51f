import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Http2Stream } from "node:http2";
import { after, before, describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Metadata, type Client, type ServiceError } from "@grpc/grpc-js";
import { nodePublishesOn } from "../../../testkit/http2-channels.js";
import { createGate } from "../../../testkit/gate.js";
import { startTestGrpcServer, type TestGrpcServer } from "../../../testkit/grpc/test-grpc-server.js";
import { callOptions, callRawUnary } from "../../../testkit/grpc/grpc-test-client.js";
import { releaseClosedStreams } from "./closed-streams.js";

// A young-generation GC on demand (the scavenger), without starting the test runner with --expose-gc.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (options: { type: "minor" | "major"; execution: "sync" }) => void;

const getHeroPath = "/superheroes.hero.v1.HeroService/GetHero";
const unknownHero = Buffer.from([0x08, 0x63]); // GetHeroRequest{id: 99}: NOT_FOUND, an answer all the same

/**
 * Makes one call whose callback holds a fresh object, waits until the call's stream has closed
 * and its listeners had their turn to go, runs two scavenges, and says whether the object
 * survived them. Only a young-generation GC is run: a full GC frees the object either way.
 */
async function survivesScavenges(client: Client): Promise<boolean> {
  const held = await callHolding(client);
  for (let turn = 0; turn < 3; turn++) await nextTurn();
  gc({ type: "minor", execution: "sync" });
  gc({ type: "minor", execution: "sync" });
  return held.deref() !== undefined;
}

async function callHolding(client: Client): Promise<WeakRef<object>> {
  const payload = { hero: "held by the call's callback", bytes: new Array<number>(1024).fill(7) };
  await new Promise<void>((resolve) => {
    client.makeUnaryRequest(
      getHeroPath,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      unknownHero,
      new Metadata(),
      callOptions(),
      () => resolve(void payload.bytes.length),
    );
  });
  return new WeakRef(payload);
}

describe("closed HTTP/2 streams", { timeout: 20_000 }, async () => {
  const supported = await nodePublishesOn("http2.server.stream.close");
  const needsChannels = { skip: supported ? false : "this Node does not publish http2 stream closes" };
  let test: TestGrpcServer;
  before(async () => (test = await startTestGrpcServer()));
  after(() => test.close());

  it(
    "keep a finished call's objects through young-generation GCs unless released (why the release exists)",
    needsChannels,
    async () => {
      await survivesScavenges(test.client); // the channel's first call also builds the connection
      assert.equal(await survivesScavenges(test.client), true);
    },
  );

  it("give a finished call's objects up to the next young-generation GC once released", needsChannels, async () => {
    const undo = releaseClosedStreams();
    try {
      assert.equal(await survivesScavenges(test.client), false);
      assert.equal(await survivesScavenges(test.client), false);
    } finally {
      undo();
    }
  });

  it("still answer every call, refusal and deadline while released", async () => {
    const undo = releaseClosedStreams();
    try {
      const codes = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          callRawUnary(test.client, getHeroPath, index % 2 === 0 ? unknownHero : Buffer.from([0x08, 0x01]), {
            deadlineMs: index % 5 === 0 ? 0 : 5000,
          }).then(
            () => 0,
            (error: ServiceError) => error.code,
          ),
        ),
      );
      // 0 OK (hero 1), 5 NOT_FOUND (hero 99), 4 DEADLINE_EXCEEDED (deadline already passed).
      assert.deepEqual(new Set(codes), new Set([0, 5, 4]));
    } finally {
      undo();
    }
  });

  it(
    "are still destroyed, whether answered, refused before their request was read, cancelled or past their deadline",
    needsChannels,
    async (t) => {
      // A refused call's stream closes with its request unread, a cancelled one before it finished
      // writing: Node destroys those only after a later "end", "finish" or "ready", so listeners
      // taken away when the close is published would leave them open for good.
      const streams: Http2Stream[] = [];
      const collect = (message: unknown) => void streams.push((message as { stream: Http2Stream }).stream);
      subscribe("http2.server.stream.created", collect);
      subscribe("http2.client.stream.created", collect);
      const gate = createGate();
      const held = await startTestGrpcServer({ maxInFlight: 4, hold: () => gate.pass() });
      const undo = releaseClosedStreams();
      t.after(async () => {
        undo();
        unsubscribe("http2.server.stream.created", collect);
        unsubscribe("http2.client.stream.created", collect);
        gate.open();
        await held.close();
      });
      const codes: Promise<number>[] = [];
      const call = (deadlineMs: number) => {
        let settle: (code: number) => void = () => {};
        codes.push(new Promise<number>((resolve) => (settle = resolve)));
        return held.client.makeUnaryRequest(
          getHeroPath,
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.from([0x08, 0x01]),
          new Metadata(),
          { deadline: Date.now() + deadlineMs },
          (error: ServiceError | null) => settle(error?.code ?? 0),
        );
      };
      // Four held in flight: one let go, one cancelled, one past its deadline, one let go.
      const [, cancelled] = [call(10_000), call(10_000), call(300), call(10_000)];
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let index = 0; index < 36; index++) call(10_000); // refused: four are in flight
      await new Promise((resolve) => setTimeout(resolve, 100));
      cancelled!.cancel();
      await new Promise((resolve) => setTimeout(resolve, 400));
      gate.open();
      const seen = new Set(await Promise.all(codes));
      // 0 OK (held, then let go), 8 RESOURCE_EXHAUSTED (past the 4 in flight), 1 CANCELLED, 4 DEADLINE_EXCEEDED.
      assert.deepEqual(seen, new Set([0, 8, 1, 4]));
      for (let turn = 0; turn < 50 && streams.some((stream) => !stream.destroyed); turn++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await nextTurn();
      assert.ok(streams.length >= 80, `${streams.length} streams seen`);
      assert.deepEqual(
        streams.filter((stream) => !stream.destroyed).length,
        0,
        "every stream of the calls was destroyed",
      );
      assert.deepEqual(
        streams.filter((stream) => stream.listenerCount("data") > 0).length,
        0,
        "and released its listeners",
      );
    },
  );
});
