import type { BenchContext } from "../bench-context.js";
import { echoService } from "../system/echo-service.js";
import { launchEcho } from "../system/launch.js";
import { measureCall, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";

const echo = echoService.methods[0]!;

/** `echo`: a trivial grpc-js echo server, the ceiling of one unary RPC on this stack and machine. */
export const echoScenario: Scenario = {
  name: "echo",
  async run(context: BenchContext) {
    const server = await launchEcho(context);
    const durationMs = context.ms(4000, 1000);
    await measureCall(context, "warm-up", server, echo, { message: "hello" }, { durationMs: context.ms(1500, 300) });
    const wide = await measureCall(
      context,
      "echo c=64",
      server,
      echo,
      { message: "hello" },
      { durationMs, concurrency: 64 },
    );
    const narrow = await measureCall(
      context,
      "echo c=8",
      server,
      echo,
      { message: "hello" },
      { durationMs, concurrency: 8, connections: 2 },
    );
    const runs = [wide, narrow];
    const notes: string[] = [];
    if (context.generator !== "node") {
      const node = await measureCall(
        context,
        "echo c=64 (node generator)",
        server,
        echo,
        { message: "hello" },
        { durationMs, concurrency: 64, generator: "node" },
      );
      runs.push(node);
      notes.push(
        `The last row uses the pure Node generator instead of ${context.generator}: it shares the runner's event loop, so it is a ceiling of the generator, not of the server.`,
      );
    }
    return {
      scenario: "echo",
      title: "Echo ceiling",
      description:
        "A trivial grpc-js echo server (bench/system/echo-server.ts, no interceptors, no database): the most unary calls per second this stack does on this machine, the yardstick of fight-max.",
      primary: wide,
      runs,
      ratios: {
        c8ToC64Rps: narrow.rps / wide.rps,
        ...(runs[2] === undefined ? {} : { nodeGeneratorToMainRps: runs[2].rps / wide.rps }),
      },
      services: await usageOf([server]),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes,
      skipped: [],
    };
  },
};
