import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Http2Session, Http2Stream } from "node:http2";
import { floodMemoryMs } from "./flood-record.js";

/**
 * Why this exists: under a flood, refusing at once is not enough in a single-threaded server.
 *
 * A refusal costs about what a cheap call costs (a stream, its headers, grpc-js's call object,
 * the trailers), and a closed-loop caller sends its next call as soon as its refusal arrives. A
 * connection may keep 100 streams open (grpc.max_concurrent_streams), so 30 connections keep
 * 3,000 calls arriving; every turn of the event loop reads them all and refuses them all before
 * it gets back to the few calls it let in, whose upstream answers and database rows wait behind
 * thousands of refusals. Measured (`npm run bench -- overload`, fights, adaptive limit, 3,000
 * callers on 30 connections): 500 fights served in 5 s, admitted p99 in the 1–2.5 s bucket, the
 * 1 s probe's p99 783 ms; with every connection held to 10 streams instead, 3,711 served, admitted
 * p99 ≤ 0.5 s, probe p99 260 ms.
 *
 * So while the server is flooded (over the last second it refused at least as many calls as it let
 * in, and 20 or more: the limiter's `inFlood`), each HTTP/2 connection may keep only its share of
 * what the server lets in: SETTINGS_MAX_CONCURRENT_STREAMS = its part of the limit +
 * `spareStreams`, split as evenly as whole streams allow (`shareOf`; at least `minStreams`, at most
 * `maxStreams`), sent again as the limit or the connections change. HTTP/2 flow control then does
 * what refusals cannot: a connection's callers past its share wait in their own client for a
 * stream (grpc-js and every HTTP/2 client queue them), so the event loop reads a bounded number of
 * calls a turn; those it reads are still served or refused at once. A lone connection's share is
 * the whole limit and the spare, so one client (fights calling a data service) is never held below
 * what the server would admit. Three seconds after the flood was last seen (`floodMemoryMs`) every
 * connection gets `maxStreams` back.
 *
 * Not at every refusal: a server near its capacity that turns a few calls away must not hold its
 * callers' streams, or an open-loop caller queues in its client and sends in bursts when the
 * allowance lifts. Seen with the allowance engaged at any refusal (`npm run bench -- fight-max`,
 * 2,000 fights/s, two alternating pairs): RESOURCE_EXHAUSTED 212 / 507 without it, 932 / 2,951
 * with it; on a busier host (11–16 % of the CPU stolen) a pair without it refused 2,659 and 753,
 * so those figures are within the machine's noise: the rule rests on the queueing above. Nor only when refusals outnumber admissions four to one: a flood of cheap calls (the
 * flood test's 20 ms calls, about one refused per call admitted) then went in and out of it.
 *
 * Streams a client opened before it read the lower setting and that exceed it are reset by the
 * server with REFUSED_STREAM, which tells the client the call was never seen (grpc-js retries
 * those at once, transparently).
 *
 * Node publishes each server stream's start on `http2.server.stream.start` (diagnostics_channel);
 * a connection is governed from its first stream on. A Node line without the channel (20 has
 * none) publishes nothing: then every connection keeps `maxStreams`, as before.
 */

/** What the allowance reads from the server's concurrency limiter. */
export interface FloodState {
  /**
   * Whether the server refuses as many calls as it lets in, or more (the limiter's flood test), or
   * did within `floodMemoryMs`.
   */
  inFlood(): boolean;
  /** Unary calls let in at once now. */
  snapshot(): { limit: number };
}

/** Options of `governStreamAllowance`. */
export interface StreamAllowanceOptions {
  /** The gRPC server's bound port: only connections to it are governed. */
  port: number;
  /** What a connection may keep open when the server is not shedding (grpc.max_concurrent_streams). */
  maxStreams: number;
  /** The least a connection is allowed while the server is flooded. Default 1. */
  minStreams?: number;
  limiter: FloodState;
  /** How often the flood and the share are looked at while the server refuses calls, ms. Default 100. */
  intervalMs?: number;
}

/** The per-connection stream allowance of one server. */
export interface StreamAllowance {
  /** The most streams a connection may keep open now (the first connection's share). */
  current(): number;
  /** Connections governed now (those that opened a stream and are still open). */
  connections(): number;
  /** The server refused a call: starts watching for a flood if it was not already. */
  onRefusal(): void;
  /** Stops: no more settings are sent (connections keep what they have). */
  stop(): void;
}

const startChannel = "http2.server.stream.start";

/**
 * Streams the connections share past the limit: calls on them are refused at once, which tells
 * callers past the limit that the server is busy (held in their own clients alone, they would
 * only wait). Each is a refusal in flight, answered and sent again at once, and event-loop time
 * the admitted calls wait behind, so a constant, not a multiple of the limit. With twice the limit
 * and at least 4 streams a connection, 31 connections flooding fights held 7–10 streams each
 * (217–310) for a limit of 64–100, and an admitted fight's picks took 31–47 ms; with the limit and
 * at least 1 (2–5 streams each), 15–17 ms (three alternating pairs; the runs are in this folder's
 * README, "How the rules came to be"). A lone connection keeps this many past the limit: one
 * client with 100 callers and a limit of 8 gets most of them refused at once, as before.
 */
const spareStreams = 16;

/**
 * Each connection's share of `total` streams, the `index`th of `count`: as even as whole streams
 * allow, the first `total mod count` connections one more, so that the shares add up to the total
 * (rounding every share up kept 31 connections at 3 streams for a limit of 54 and 16 spare: 93
 * streams, 39 refusals in flight instead of 16).
 */
export function shareOf(total: number, index: number, count: number): number {
  const base = Math.floor(total / count);
  return index < total - base * count ? base + 1 : base;
}

export function governStreamAllowance(options: StreamAllowanceOptions): StreamAllowance {
  const minStreams = Math.min(options.minStreams ?? 1, options.maxStreams);
  const intervalMs = options.intervalMs ?? 100;
  const sessions = new Set<Http2Session>();
  /** The value last sent to each session (absent: it has `maxStreams`, from the server's first SETTINGS). */
  const sent = new WeakMap<Http2Session, number>();
  let flooded = false;
  let timer: NodeJS.Timeout | undefined;
  let lastRefusalMs = -Infinity;

  /**
   * What each connection may keep open now, by its place among them: its share of the limit and
   * the spare while flooded, followed as the limit and the connections change. A lower share
   * resets the streams its client opened before reading it (REFUSED_STREAM, once), while a stream
   * kept past the share is a refusal in flight for as long as it is kept, so the share follows
   * every move. The limit is read once for all the connections.
   */
  const allowances = (): ((index: number) => number) => {
    if (!flooded) return () => options.maxStreams;
    const total = options.limiter.snapshot().limit + spareStreams;
    const count = Math.max(1, sessions.size);
    return (index) => Math.max(minStreams, Math.min(options.maxStreams, shareOf(total, index, count)));
  };
  const send = (session: Http2Session, allowance: number) => {
    if ((sent.get(session) ?? options.maxStreams) === allowance) return;
    // At most one SETTINGS in flight per session: Node refuses more than 10 unacknowledged.
    if (session.destroyed || session.closed || session.pendingSettingsAck) return;
    session.settings({ maxConcurrentStreams: allowance });
    sent.set(session, allowance);
  };
  const tick = () => {
    const nowMs = performance.now();
    flooded = options.limiter.inFlood();
    const allowanceOf = allowances();
    let index = 0;
    let settled = true;
    for (const session of sessions) {
      const allowance = allowanceOf(index++);
      send(session, allowance);
      settled &&= (sent.get(session) ?? options.maxStreams) === allowance;
    }
    // Idle once the flood is over, every connection has its streams back and refusals stopped.
    if (!flooded && settled && nowMs - lastRefusalMs > floodMemoryMs) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const onStreamStart = (message: unknown) => {
    const session = (message as { stream: Http2Stream }).stream.session;
    if (session === undefined || sessions.has(session)) return;
    if (session.socket?.localPort !== options.port) return;
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    send(session, allowances()(sessions.size - 1));
  };
  subscribe(startChannel, onStreamStart);

  return {
    current: () => allowances()(0),
    connections: () => sessions.size,
    onRefusal() {
      lastRefusalMs = performance.now();
      if (timer !== undefined) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      unsubscribe(startChannel, onStreamStart);
      sessions.clear();
    },
  };
}
