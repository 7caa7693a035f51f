import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConcurrencyLimiter,
  isLatencySample,
  isRefusal,
  type Permit,
  type Refusal,
} from "./concurrency-limiter.js";

const adaptive = { mode: "adaptive", minLimit: 2, initialLimit: 2 } as const;
const adaptiveMessage =
  "server busy: more than 2 calls in flight (a limit that follows this server's latency); retry with backoff";

function admitted(value: Permit | Refusal): Permit {
  assert.ok(!isRefusal(value), `refused: ${isRefusal(value) ? value.message : ""}`);
  return value;
}

describe("concurrency limiter", () => {
  it("is flooded while it refuses at least as many calls as it lets in over the last second, and 20 or more", () => {
    let nowMs = 0;
    const limiter = createConcurrencyLimiter({ ceiling: 1, now: () => nowMs });
    const permit = admitted(limiter.tryAcquire("unary"));
    for (let call = 0; call < 19; call++) assert.equal(isRefusal(limiter.tryAcquire("unary")), true);
    assert.equal(limiter.isFlooded(), false, "19 refusals are not a flood");
    assert.equal(isRefusal(limiter.tryAcquire("unary")), true);
    assert.equal(limiter.isFlooded(), true, "20 refusals for 1 admission");
    permit.release(true);
    // Near capacity: as many admitted as refused is a busy server, not a flood.
    for (let call = 0; call < 20; call++) admitted(limiter.tryAcquire("unary")).release(true);
    assert.equal(limiter.isFlooded(), false, "20 refused, 21 admitted");
    nowMs = 1000;
    assert.equal(limiter.isFlooded(), false, "a second later nothing is left of either");
  });

  it("teaches its adaptive limit no baseline during a flood and for three seconds after it", () => {
    let nowMs = 0;
    const limiter = createConcurrencyLimiter({
      ceiling: 100,
      settings: { mode: "adaptive", minLimit: 1, initialLimit: 20 },
      now: () => nowMs,
    });
    /** `count` calls of `callMs` each, one after the other: a window closes every 100 ms and 10 calls. */
    const calls = (callMs: number, count: number) => {
      for (let call = 0; call < count; call++) {
        const permit = admitted(limiter.tryAcquire("unary"));
        nowMs += callMs;
        permit.release(true);
      }
    };
    calls(4, 30);
    assert.equal(typeof limiter.snapshot().baselineRttMs, "number", "a baseline from a normal window");
    const baseline = limiter.snapshot().baselineRttMs;
    // A flood: 60 refused for the 50 let in over the last second.
    const held = Array.from({ length: 20 }, () => admitted(limiter.tryAcquire("unary")));
    for (let call = 0; call < 60; call++) assert.equal(isRefusal(limiter.tryAcquire("unary")), true);
    assert.equal(limiter.isFlooded(), true);
    // The flood's window (its refusals in it) closes: refusing more than a tenth, it teaches nothing.
    nowMs += 60;
    held.slice(0, 10).forEach((permit) => permit.release(true));
    nowMs += 100;
    held.slice(10).forEach((permit) => permit.release(true));
    assert.equal(limiter.snapshot().baselineRttMs, baseline);
    nowMs += 1000; // the flood's refusals are out of the last second; still within its memory
    calls(60, 10); // a window that refused nothing
    assert.equal(limiter.snapshot().baselineRttMs, baseline, "nothing learned within the flood's memory");
    nowMs += 3000;
    calls(60, 10);
    assert.ok(limiter.snapshot().baselineRttMs! > baseline!, "learned again once the flood is long gone");
  });

  it("refuses unary calls past the adaptive limit and every call past the ceiling", () => {
    const limiter = createConcurrencyLimiter({ ceiling: 4, settings: adaptive });
    admitted(limiter.tryAcquire("unary"));
    admitted(limiter.tryAcquire("unary"));
    assert.deepEqual(limiter.tryAcquire("unary"), { limit: "adaptive", message: adaptiveMessage });
    // Streams are not held to the adaptive limit: a page open for an hour must not take a slot.
    admitted(limiter.tryAcquire("stream"));
    admitted(limiter.tryAcquire("stream"));
    assert.deepEqual(limiter.tryAcquire("stream"), {
      limit: "ceiling",
      message: "server busy: more than 4 calls in flight; retry with backoff",
    });
    assert.deepEqual(limiter.snapshot(), {
      mode: "adaptive",
      limit: 2,
      ceiling: 4,
      inFlight: 4,
      unaryInFlight: 2,
      windowRttMs: null,
      baselineRttMs: null,
      gradient: null,
      shed: { adaptive: 1, ceiling: 1, deadline: 0 },
    });
    assert.equal(limiter.shed(), 2);
  });

  it("frees a call's place under the adaptive limit once it has responded, its ceiling slot when it ends", () => {
    const limiter = createConcurrencyLimiter({ ceiling: 3, settings: adaptive });
    const slowReaders = [admitted(limiter.tryAcquire("unary")), admitted(limiter.tryAcquire("unary"))];
    // Their responses are produced; the clients do not read them (HTTP/2 flow control holds the rest).
    for (const permit of slowReaders) permit.responded();
    const third = admitted(limiter.tryAcquire("unary"));
    assert.deepEqual([limiter.inFlight(), limiter.snapshot().unaryInFlight], [3, 1]);
    assert.deepEqual(limiter.tryAcquire("unary"), {
      limit: "ceiling",
      message: "server busy: more than 3 calls in flight; retry with backoff",
    });
    for (const permit of [...slowReaders, third]) permit.release(true);
    assert.deepEqual([limiter.inFlight(), limiter.snapshot().unaryInFlight], [0, 0]);
  });

  it("frees a slot once however often a permit is released", () => {
    const limiter = createConcurrencyLimiter({ ceiling: 4, settings: adaptive });
    const permit = admitted(limiter.tryAcquire("unary"));
    permit.release(true);
    permit.release(false);
    assert.equal(limiter.inFlight(), 0);
    assert.equal(limiter.snapshot().unaryInFlight, 0);
  });

  it("learns from unary calls released as samples only", () => {
    let nowMs = 0;
    const limiter = createConcurrencyLimiter({
      ceiling: 100,
      settings: { mode: "adaptive", minLimit: 1, initialLimit: 10 },
      now: () => nowMs,
    });
    const run = (kind: "unary" | "stream", sample: boolean) => {
      const permit = admitted(limiter.tryAcquire(kind));
      nowMs += 20;
      permit.release(sample);
    };
    for (let i = 0; i < 20; i++) run("unary", false);
    for (let i = 0; i < 20; i++) run("stream", true);
    assert.equal(limiter.snapshot().windowRttMs, null, "cancelled calls and streams are no samples");
    for (let i = 0; i < 10; i++) run("unary", true);
    assert.equal(limiter.snapshot().windowRttMs, 20);
  });

  it("is the ceiling alone when fixed", () => {
    const limiter = createConcurrencyLimiter({ ceiling: 3 });
    for (let i = 0; i < 3; i++) admitted(limiter.tryAcquire("unary"));
    assert.equal(isRefusal(limiter.tryAcquire("unary")), true);
    assert.deepEqual(limiter.snapshot(), {
      mode: "fixed",
      limit: 3,
      ceiling: 3,
      inFlight: 3,
      unaryInFlight: 3,
      shed: { adaptive: 0, ceiling: 1, deadline: 0 },
    });
  });

  describe("while it sheds load", () => {
    /** A limiter whose last window was calls that took `callsMs`, one after another, with its clock. */
    const serverAfter = (callsMs: readonly number[]) => {
      const clock = { nowMs: 0 };
      const limiter = createConcurrencyLimiter({
        ceiling: 100,
        settings: { mode: "adaptive", minLimit: 1, initialLimit: 10 },
        now: () => clock.nowMs,
      });
      for (const ms of callsMs) {
        const permit = admitted(limiter.tryAcquire("unary"));
        clock.nowMs += ms;
        permit.release(true);
      }
      return { limiter, clock };
    };
    /** Ten calls of 200 ms. */
    const slowServer = () => {
      const server = serverAfter(Array.from({ length: 10 }, () => 200));
      assert.equal(server.limiter.snapshot().windowRttMs, 200);
      return server;
    };
    /** Fills the adaptive limit, has one more call refused, then lets the held calls go (no samples). */
    const floodOnce = (limiter: ReturnType<typeof serverAfter>["limiter"]) => {
      const held: Permit[] = [];
      for (let value = limiter.tryAcquire("unary"); !isRefusal(value); value = limiter.tryAcquire("unary"))
        held.push(value);
      for (const permit of held) permit.release(false);
    };

    it("refuses at once a call whose caller waits less than calls take now, saying both", () => {
      const { limiter } = slowServer();
      floodOnce(limiter);
      assert.deepEqual(limiter.tryAcquire("unary", 150), {
        limit: "deadline",
        message:
          "server busy: calls take up to ~200 ms here now and this one has 150 ms left; retry with backoff, or with a longer deadline",
      });
      admitted(limiter.tryAcquire("unary", 250));
      admitted(limiter.tryAcquire("unary"));
      // A stream's deadline is not a call's duration: streams are held to the ceiling only.
      admitted(limiter.tryAcquire("stream", 150));
      assert.equal(limiter.snapshot().shed.deadline, 1);
    });

    it("judges by the slowest call of the last window, not its mean", () => {
      // Nine calls of 20 ms and one of 400 ms: a mean of 58 ms, the slowest 400.
      const { limiter } = serverAfter([20, 20, 20, 20, 20, 20, 20, 20, 20, 400]);
      assert.equal(limiter.snapshot().windowRttMs, 58);
      floodOnce(limiter);
      assert.equal((limiter.tryAcquire("unary", 300) as Refusal).limit, "deadline");
      admitted(limiter.tryAcquire("unary", 400));
    });

    it("lets short deadlines in when no limit refused a call in the last second", () => {
      const { limiter, clock } = slowServer();
      admitted(limiter.tryAcquire("unary", 1));
      floodOnce(limiter);
      clock.nowMs += 600;
      assert.equal((limiter.tryAcquire("unary", 150) as Refusal).limit, "deadline");
      // Refusals by this rule do not prolong the flood: a second after the last limit refusal it ends.
      clock.nowMs += 401;
      admitted(limiter.tryAcquire("unary", 150));
    });

    it("answers the rule alone for an edge that learns the deadline after admitting the call", () => {
      const { limiter, clock } = slowServer();
      assert.equal(limiter.refusesShortDeadline(150), undefined, "not shedding: let in");
      floodOnce(limiter);
      assert.equal(limiter.refusesShortDeadline(150)?.limit, "deadline");
      assert.equal(limiter.refusesShortDeadline(250), undefined);
      assert.equal(limiter.refusesShortDeadline(Infinity), undefined);
      assert.equal(limiter.snapshot().shed.deadline, 1);
      clock.nowMs += 1_001;
      assert.equal(limiter.refusesShortDeadline(150), undefined, "the flood's second is over");
    });

    it("is not applied when fixed: the ceiling alone", () => {
      const limiter = createConcurrencyLimiter({ ceiling: 1 });
      admitted(limiter.tryAcquire("unary"));
      assert.equal((limiter.tryAcquire("unary", 1) as Refusal).limit, "ceiling");
      assert.equal(limiter.refusesShortDeadline(1), undefined);
    });
  });

  it("counts every ending as a latency sample but the caller's cancel and deadline", () => {
    const samples = [0, 1, 2, 3, 4, 5, 8, 13, 14].map((code) => [code, isLatencySample(code)]);
    assert.deepEqual(samples, [
      [0, true],
      [1, false],
      [2, true],
      [3, true],
      [4, false],
      [5, true],
      [8, true],
      [13, true],
      [14, true],
    ]);
  });
});
