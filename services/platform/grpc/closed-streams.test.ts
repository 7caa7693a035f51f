import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { connect, createServer } from "node:http2";
import { after, before, describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Metadata, type Client } from "@grpc/grpc-js";
import { startTestGrpcServer, type TestGrpcServer } from "../../../testkit/grpc/test-grpc-server.js";
import { callOptions } from "../../../testkit/grpc/grpc-test-client.js";
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

/** Whether this Node publishes HTTP/2 stream closes on diagnostics_channel (22.16 and later do). */
async function nodePublishesStreamClose(): Promise<boolean> {
  let published = false;
  const seen = () => void (published = true);
  subscribe("http2.server.stream.close", seen);
  const server = createServer((_request, response) => response.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const session = connect(`http://127.0.0.1:${port}`);
  await new Promise<void>((resolve) => session.request({ ":path": "/" }).on("close", resolve).resume().end());
  session.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  unsubscribe("http2.server.stream.close", seen);
  return published;
}

describe("closed HTTP/2 streams", { timeout: 20_000 }, async () => {
  const supported = await nodePublishesStreamClose();
  let test: TestGrpcServer;
  before(async () => (test = await startTestGrpcServer()));
  after(() => test.close());

  it(
    "keep a finished call's objects through young-generation GCs unless released (why the release exists)",
    { skip: supported ? false : "this Node does not publish http2 stream closes" },
    async () => {
      await survivesScavenges(test.client); // the channel's first call also builds the connection
      assert.equal(await survivesScavenges(test.client), true);
    },
  );

  it(
    "give a finished call's objects up to the next young-generation GC once released",
    { skip: supported ? false : "this Node does not publish http2 stream closes" },
    async () => {
      const undo = releaseClosedStreams();
      try {
        assert.equal(await survivesScavenges(test.client), false);
        assert.equal(await survivesScavenges(test.client), false);
      } finally {
        undo();
      }
    },
  );

  it("still answer every call, refusal and deadline while released", async () => {
    const undo = releaseClosedStreams();
    try {
      const calls = Array.from(
        { length: 50 },
        (_, index) =>
          new Promise<number>((resolve) => {
            test.client.makeUnaryRequest(
              getHeroPath,
              (bytes: Buffer) => bytes,
              (bytes: Buffer) => bytes,
              index % 2 === 0 ? unknownHero : Buffer.from([0x08, 0x01]),
              new Metadata(),
              { deadline: Date.now() + (index % 5 === 0 ? 0 : 5000) },
              (error) => resolve(error?.code ?? 0),
            );
          }),
      );
      const codes = await Promise.all(calls);
      // 0 OK (hero 1), 5 NOT_FOUND (hero 99), 4 DEADLINE_EXCEEDED (deadline already passed).
      assert.deepEqual(new Set(codes), new Set([0, 5, 4]));
    } finally {
      undo();
    }
  });
});
