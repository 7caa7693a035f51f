import type { LocationKind } from "../../domain/location-fields.js";
import { createSeededRandom, type SeededRandom } from "./seeded-random.js";

/** What a location's scene is drawn from. */
export interface SceneTraits {
  /** URL slug of the name: the seed of colours and details. */
  slug: string;
  /** Its kind picks the scene; undefined: a generic landscape. */
  kind: LocationKind | undefined;
  /** The fallback location: grey fog and a question mark. */
  fallback: boolean;
}

/**
 * A location's scene, drawn from its data: the kind picks the scene (a ringed planet in space, a
 * moon with craters, a city skyline, an island in the sea, rolling country hills, mountains for
 * a place) and the name seeds its colours, stars, buildings and hills. SVG, 200 × 200.
 */
export function locationSceneSvg(traits: SceneTraits): string {
  const random = createSeededRandom(`location:${traits.slug}`);
  const hue = random.int(0, 359);
  const frame = `<rect x="4" y="4" width="192" height="192" rx="22" fill="none" stroke="#0d9488" stroke-width="8"/>`;
  const clip = `<defs><clipPath id="scene"><rect x="4" y="4" width="192" height="192" rx="22"/></clipPath></defs>`;
  if (traits.fallback) {
    return `${clip}<g clip-path="url(#scene)"><rect width="200" height="200" fill="#374151"/>${hills(random, 150, "#4b5563", 3)}</g><text x="100" y="122" font-family="sans-serif" font-size="72" font-weight="800" text-anchor="middle" fill="#d1d5db">?</text>${frame.replace("#0d9488", "#9ca3af")}`;
  }
  const body = (() => {
    switch (traits.kind) {
      case "PLANET":
        return planet(random, hue);
      case "MOON":
        return moon(random, hue);
      case "CITY":
        return city(random, hue);
      case "ISLAND":
        return island(random, hue);
      case "COUNTRY":
        return country(random, hue);
      default:
        return place(random, hue);
    }
  })();
  return `${clip}<g clip-path="url(#scene)">${body}</g>${frame}`;
}

function sky(top: string, bottom: string): string {
  return (
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/>` +
    `<stop offset="1" stop-color="${bottom}"/></linearGradient></defs><rect width="200" height="200" fill="url(#sky)"/>`
  );
}

function stars(random: SeededRandom, count: number, maxY = 200): string {
  return Array.from({ length: count }, () => {
    const r = (random.next() * 1.4 + 0.4).toFixed(1);
    return `<circle cx="${random.int(6, 194)}" cy="${random.int(6, maxY)}" r="${r}" fill="#fff" opacity="${(0.5 + random.next() * 0.5).toFixed(2)}"/>`;
  }).join("");
}

function planet(random: SeededRandom, hue: number): string {
  const [cx, cy, r] = [random.int(80, 120), random.int(90, 115), random.int(44, 58)];
  const tilt = random.int(-25, 25);
  return (
    sky("#020617", `hsl(${(hue + 200) % 360} 50% 14%)`) +
    stars(random, 40) +
    `<circle cx="${cx}" cy="${cy}" r="${r}" fill="hsl(${hue} 60% 45%)"/>` +
    `<path d="M${cx - r} ${cy} A${r} ${r} 0 0 0 ${cx + r} ${cy} A${r} ${r * 0.55} 0 0 1 ${cx - r} ${cy} Z" fill="hsl(${hue} 55% 30%)" opacity=".6"/>` +
    `<ellipse cx="${cx}" cy="${cy}" rx="${r * 1.7}" ry="${r * 0.35}" fill="none" stroke="hsl(${(hue + 40) % 360} 70% 75%)" stroke-width="5" transform="rotate(${tilt} ${cx} ${cy})" opacity=".85"/>`
  );
}

function moon(random: SeededRandom, hue: number): string {
  const craters = Array.from(
    { length: random.int(4, 7) },
    () =>
      `<circle cx="${random.int(70, 130)}" cy="${random.int(70, 130)}" r="${random.int(5, 12)}" fill="#9ca3af" opacity=".7"/>`,
  ).join("");
  return (
    sky("#030712", `hsl(${hue} 40% 12%)`) +
    stars(random, 30) +
    `<circle cx="100" cy="100" r="52" fill="#e5e7eb"/>${craters}` +
    `<circle cx="122" cy="88" r="52" fill="#030712" opacity=".55"/>`
  );
}

function city(random: SeededRandom, hue: number): string {
  let x = 4;
  const buildings: string[] = [];
  while (x < 196) {
    const width = random.int(16, 30);
    const height = random.int(50, 130);
    const top = 176 - height;
    buildings.push(
      `<rect x="${x}" y="${top}" width="${width}" height="${height + 24}" fill="hsl(${hue} 25% ${random.int(12, 22)}%)"/>`,
    );
    for (let wy = top + 8; wy < 170; wy += 12)
      for (let wx = x + 4; wx < x + width - 5; wx += 8)
        if (random.next() < 0.45) buildings.push(`<rect x="${wx}" y="${wy}" width="4" height="5" fill="#fde68a"/>`);
    x += width + random.int(1, 4);
  }
  return (
    sky(`hsl(${hue} 55% 22%)`, `hsl(${(hue + 30) % 360} 70% 55%)`) +
    `<circle cx="${random.int(40, 160)}" cy="${random.int(30, 60)}" r="14" fill="#fef3c7" opacity=".9"/>` +
    buildings.join("") +
    `<rect y="176" width="200" height="24" fill="#111827"/>`
  );
}

function island(random: SeededRandom, hue: number): string {
  const cx = random.int(80, 120);
  return (
    sky(`hsl(${(hue + 190) % 360} 70% 60%)`, `hsl(${(hue + 170) % 360} 60% 80%)`) +
    `<circle cx="${random.int(30, 170)}" cy="${random.int(30, 60)}" r="16" fill="#fde047"/>` +
    `<rect y="128" width="200" height="72" fill="hsl(${(hue + 200) % 360} 65% 38%)"/>` +
    `<ellipse cx="${cx}" cy="134" rx="${random.int(44, 62)}" ry="20" fill="#fcd34d"/>` +
    `<path d="M${cx + 4} 132 Q${cx + 10} 100 ${cx + 2} 76" stroke="#78350f" stroke-width="6" fill="none"/>` +
    `<path d="M${cx + 2} 76 q-28 -6 -40 12 M${cx + 2} 76 q28 -8 40 10 M${cx + 2} 76 q-8 -22 -24 -26 M${cx + 2} 76 q10 -22 28 -24" stroke="#15803d" stroke-width="8" stroke-linecap="round" fill="none"/>` +
    `<path d="M0 160 Q25 154 50 160 T100 160 T150 160 T200 160" stroke="#e0f2fe" stroke-width="3" fill="none" opacity=".6"/>`
  );
}

function country(random: SeededRandom, hue: number): string {
  return (
    sky(`hsl(${(hue + 200) % 360} 65% 62%)`, "#fef9c3") +
    `<circle cx="${random.int(40, 160)}" cy="${random.int(36, 70)}" r="18" fill="#fbbf24"/>` +
    hills(random, 120, `hsl(${(hue % 60) + 90} 45% 45%)`, 3) +
    hills(random, 150, `hsl(${(hue % 60) + 100} 50% 32%)`, 2)
  );
}

function place(random: SeededRandom, hue: number): string {
  const peaks = Array.from({ length: 3 }, (_, index) => {
    const x = 30 + index * 70 + random.int(-12, 12);
    const top = random.int(50, 90);
    return `<path d="M${x - 60} 170 L${x} ${top} L${x + 60} 170 Z" fill="hsl(${hue} 20% ${28 + index * 6}%)"/><path d="M${x - 14} ${top + 22} L${x} ${top} L${x + 14} ${top + 22} Z" fill="#f8fafc"/>`;
  }).join("");
  return (
    sky(`hsl(${hue} 55% 30%)`, `hsl(${(hue + 40) % 360} 60% 70%)`) +
    stars(random, 8, 60) +
    peaks +
    `<rect y="166" width="200" height="34" fill="hsl(${hue} 30% 18%)"/>`
  );
}

function hills(random: SeededRandom, baseline: number, colour: string, count: number): string {
  const width = 200 / count;
  let path = `M0 200 L0 ${baseline}`;
  for (let index = 0; index < count; index += 1) {
    const peak = baseline - random.int(14, 40);
    path += ` Q${(index + 0.5) * width} ${peak} ${(index + 1) * width} ${baseline + random.int(-6, 6)}`;
  }
  return `<path d="${path} L200 200 Z" fill="${colour}"/>`;
}
