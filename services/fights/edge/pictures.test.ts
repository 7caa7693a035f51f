import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pictureSvg } from "./pictures.js";

const picture = (path: string) => pictureSvg(new URL(path, "http://web"));

describe("pictureSvg", () => {
  it("draws the same picture for the same URL, and different ones for different fighters", () => {
    const first = picture("/pictures/heroes/copperwing-sparrow.svg?level=340&powers=Flight");
    assert.equal(picture("/pictures/heroes/copperwing-sparrow.svg?level=340&powers=Flight"), first);
    assert.notEqual(picture("/pictures/heroes/tidewarden-maru.svg?level=340&powers=Flight"), first);
  });

  it("draws a hero as a shield and a villain as a spiked badge, each with its initials", () => {
    const hero = picture("/pictures/heroes/copperwing-sparrow.svg") ?? "";
    const villain = picture("/pictures/villains/baron-ash.svg") ?? "";
    assert.match(hero, /<path d="M100 10 L176 34/);
    assert.doesNotMatch(villain, /<path d="M100 10 L176 34/);
    assert.match(hero, />CS<\/text>/);
    assert.match(villain, />BA<\/text>/);
  });

  it("picks the symbol from the first power that names a theme, and one rank star per order of magnitude of the level", () => {
    const flame = picture("/pictures/heroes/a.svg?powers=Cooking,Fire breath&level=5") ?? "";
    const wave = picture("/pictures/heroes/a.svg?powers=Tide calling&level=240000000") ?? "";
    assert.match(flame, /M100 40 C124 70/, "fire → a flame");
    assert.match(wave, /M48 104 Q64 80/, "tide → a wave");
    const stars = (svg: string) => svg.match(/fill="#facc15"/g)?.length ?? 0;
    assert.deepEqual([stars(flame), stars(wave)], [1, 5]);
  });

  it("draws a scene per location kind", () => {
    const scenes = ["PLANET", "MOON", "CITY", "ISLAND", "COUNTRY", "PLACE"].map(
      (kind) => picture(`/pictures/locations/somewhere.svg?type=${kind}`) ?? "",
    );
    assert.equal(new Set(scenes).size, 6);
    assert.match(scenes[0]!, /<ellipse [^>]*fill="none"/, "a planet has a ring");
    assert.match(scenes[2]!, /fill="#fde68a"/, "a city has lit windows");
  });

  it("draws the fallbacks grey with a question mark", () => {
    for (const path of [
      "/pictures/fallback-hero.svg",
      "/pictures/fallback-villain.svg",
      "/pictures/fallback-location.svg",
    ])
      assert.match(picture(path) ?? "", />\?<\/text>/, path);
  });

  it("puts nothing from the query into the SVG, and answers no other path", () => {
    const svg = picture('/pictures/heroes/a.svg?powers=<script>alert(1)</script>&level="><x') ?? "";
    assert.doesNotMatch(svg, /script|alert|<x/);
    for (const path of ["/pictures/heroes/../x.svg", "/pictures/heroes/UPPER.svg", "/pictures/dragons/a.svg", "/x.svg"])
      assert.equal(picture(path), undefined, path);
  });
});
