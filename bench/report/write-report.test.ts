import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { reportOf } from "./write-report.js";

const committedResults = fileURLToPath(new URL("../results", import.meta.url));

describe("bench report", () => {
  it("is what the committed results render to: no figure edited by hand, no result that fails to render", async () => {
    const { path, markdown } = await reportOf(committedResults);
    assert.equal(await readFile(path, "utf8"), markdown, "bench/RESULTS.md: run `npm run bench` (it regenerates it)");
  });
});
