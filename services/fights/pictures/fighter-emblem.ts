import { createSeededRandom } from "./seeded-random.js";

/** What a fighter's emblem is drawn from. */
export interface EmblemTraits {
  /** URL slug of the name (`copperwing-sparrow`): the seed of colours and details. */
  slug: string;
  side: "hero" | "villain";
  /** Power level, when known: more orders of magnitude, more rank stars. */
  level: number | undefined;
  /** Comma-separated powers, when known: the first one that names a theme picks the symbol. */
  powers: string | undefined;
  /** The fallback fighter: grey, with a question mark. */
  fallback: boolean;
}

/** Symbols by theme, found by words in the powers; the order is the order they are tried in. */
const themes: readonly { words: RegExp; symbol: Symbol }[] = [
  { words: /fire|flame|heat|burn|ember|lava|magma|solar/i, symbol: "flame" },
  { words: /water|tide|wave|ocean|sea|ice|frost|cold|rain|storm/i, symbol: "wave" },
  { words: /flight|fly|wing|wind|air|feather|sky/i, symbol: "wings" },
  { words: /speed|fast|kinetic|lightning|electric|shock|volt|momentum/i, symbol: "bolt" },
  { words: /mind|telepath|psychic|thought|dream|memory|illusion|foresight/i, symbol: "eye" },
  { words: /shadow|dark|night|void|fear|poison|curse|decay/i, symbol: "moon" },
  { words: /light|radian|glow|star|cosmic|energy|plasma/i, symbol: "sun" },
  { words: /plant|nature|root|forest|earth|stone|rock|sand|growth/i, symbol: "leaf" },
  { words: /strength|strong|metal|steel|armou?r|invulnera|durab|iron/i, symbol: "fist" },
];
type Symbol = "flame" | "wave" | "wings" | "bolt" | "eye" | "moon" | "sun" | "leaf" | "fist" | "star";

/**
 * A fighter's emblem, drawn from its data: a shield for heroes and a spiked badge for villains,
 * coloured from its name, a symbol from its first themed power, rank stars from its level (one
 * per order of magnitude, up to five) and its initials on a ribbon. SVG, 200 × 200.
 */
export function fighterEmblemSvg(traits: EmblemTraits): string {
  const random = createSeededRandom(`${traits.side}:${traits.slug}`);
  const hue = traits.side === "hero" ? random.int(185, 285) : random.int(330, 400) % 360;
  const accent = `hsl(${(hue + random.int(140, 220)) % 360} 85% 62%)`;
  const base = traits.fallback ? "#4b5563" : `hsl(${hue} 62% 34%)`;
  const light = traits.fallback ? "#6b7280" : `hsl(${hue} 70% 48%)`;
  const ring = traits.side === "hero" ? "#93c5fd" : "#fca5a5";
  const symbol = traits.fallback ? undefined : symbolOf(traits.powers, random.pick(["star", "bolt", "sun"] as const));
  const stars =
    traits.level === undefined || traits.level < 1 ? 0 : Math.min(5, Math.floor(Math.log10(traits.level)) + 1);
  const gradient = `e-${traits.side}`;
  return [
    `<defs><linearGradient id="${gradient}" x1="0" y1="0" x2="0" y2="1">`,
    `<stop offset="0" stop-color="${light}"/><stop offset="1" stop-color="${base}"/></linearGradient></defs>`,
    `<path d="${traits.side === "hero" ? shieldPath : badgePath(random.int(7, 10))}" fill="url(#${gradient})" stroke="${traits.fallback ? "#9ca3af" : ring}" stroke-width="6"${traits.fallback ? ' stroke-dasharray="10 7"' : ""}/>`,
    traits.fallback
      ? `<text x="100" y="118" font-family="sans-serif" font-size="84" font-weight="800" text-anchor="middle" fill="#e5e7eb">?</text>`
      : symbolSvg(symbol ?? "star", accent, random.int(5, 8)),
    rankStars(stars),
    ribbon(initials(traits.slug), traits.side, traits.fallback),
  ].join("");
}

function symbolOf(powers: string | undefined, otherwise: Symbol): Symbol {
  const list = (powers ?? "").split(",");
  for (const power of list) {
    const theme = themes.find((each) => each.words.test(power));
    if (theme !== undefined) return theme.symbol;
  }
  return otherwise;
}

const shieldPath = "M100 10 L176 34 Q178 120 100 190 Q22 120 24 34 Z";

/** A round badge with `spikes` points, for villains. */
function badgePath(spikes: number): string {
  const points: string[] = [];
  for (let index = 0; index < spikes * 2; index += 1) {
    const angle = (Math.PI * index) / spikes - Math.PI / 2;
    const radius = index % 2 === 0 ? 92 : 74;
    points.push(`${(100 + radius * Math.cos(angle)).toFixed(1)} ${(100 + radius * Math.sin(angle)).toFixed(1)}`);
  }
  return `M${points.join(" L")} Z`;
}

function symbolSvg(symbol: Symbol, colour: string, points: number): string {
  const fill = `fill="${colour}" stroke="#0b1020" stroke-width="3" stroke-linejoin="round"`;
  switch (symbol) {
    case "flame":
      return `<path d="M100 40 C124 70 136 86 128 112 C122 132 110 140 100 140 C84 140 70 128 72 108 C74 92 86 86 88 70 C96 80 98 88 100 96 C108 80 106 60 100 40 Z" ${fill}/>`;
    case "wave":
      return `<path d="M48 104 Q64 80 80 104 T112 104 T144 104 T160 100 L160 128 Q144 140 128 128 T96 128 T64 128 T44 130 Z" ${fill}/><circle cx="100" cy="70" r="14" ${fill}/>`;
    case "wings":
      return `<path d="M100 76 C84 56 56 52 36 64 C52 70 58 80 60 90 C48 92 42 100 40 110 C60 106 78 110 100 126 C122 110 140 106 160 110 C158 100 152 92 140 90 C142 80 148 70 164 64 C144 52 116 56 100 76 Z" ${fill}/>`;
    case "bolt":
      return `<path d="M110 38 L66 108 L96 108 L86 150 L136 82 L106 82 L118 38 Z" ${fill}/>`;
    case "eye":
      return `<path d="M44 96 Q100 44 156 96 Q100 148 44 96 Z" ${fill}/><circle cx="100" cy="96" r="18" fill="#0b1020"/><circle cx="106" cy="90" r="5" fill="#fff"/>`;
    case "moon":
      return `<path d="M116 46 A52 52 0 1 0 150 120 A42 42 0 1 1 116 46 Z" ${fill}/>`;
    case "sun":
      return `${rays(points * 2, 30, 56, colour)}<circle cx="100" cy="96" r="26" ${fill}/>`;
    case "leaf":
      return `<path d="M62 136 C56 88 92 52 144 50 C146 104 110 140 62 136 Z" ${fill}/><path d="M66 132 L126 72" stroke="#0b1020" stroke-width="4"/>`;
    case "fist":
      return `<rect x="66" y="64" width="68" height="62" rx="14" ${fill}/><path d="M83 64 V92 M100 64 V92 M117 64 V92" stroke="#0b1020" stroke-width="4"/><rect x="76" y="122" width="48" height="22" rx="6" ${fill}/>`;
    default:
      return `<path d="${starPath(100, 96, 46, 20, points)}" ${fill}/>`;
  }
}

function rays(count: number, inner: number, outer: number, colour: string): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const angle = (2 * Math.PI * index) / count;
    const [x1, y1] = [100 + inner * Math.cos(angle), 96 + inner * Math.sin(angle)];
    const [x2, y2] = [100 + outer * Math.cos(angle), 96 + outer * Math.sin(angle)];
    lines.push(`M${x1.toFixed(1)} ${y1.toFixed(1)} L${x2.toFixed(1)} ${y2.toFixed(1)}`);
  }
  return `<path d="${lines.join(" ")}" stroke="${colour}" stroke-width="6" stroke-linecap="round"/>`;
}

function starPath(cx: number, cy: number, outer: number, inner: number, points: number): string {
  const corners: string[] = [];
  for (let index = 0; index < points * 2; index += 1) {
    const angle = (Math.PI * index) / points - Math.PI / 2;
    const radius = index % 2 === 0 ? outer : inner;
    corners.push(`${(cx + radius * Math.cos(angle)).toFixed(1)} ${(cy + radius * Math.sin(angle)).toFixed(1)}`);
  }
  return `M${corners.join(" L")} Z`;
}

function rankStars(count: number): string {
  if (count === 0) return "";
  const spacing = 16;
  const start = 100 - ((count - 1) * spacing) / 2;
  return Array.from(
    { length: count },
    (_, index) => `<path d="${starPath(start + index * spacing, 30, 7, 3, 5)}" fill="#facc15"/>`,
  ).join("");
}

function ribbon(text: string, side: "hero" | "villain", fallback: boolean): string {
  const fill = fallback ? "#374151" : side === "hero" ? "#1e3a8a" : "#7f1d1d";
  return (
    `<rect x="52" y="146" width="96" height="28" rx="6" fill="${fill}" stroke="#0b1020" stroke-width="2"/>` +
    `<text x="100" y="167" font-family="sans-serif" font-size="18" font-weight="800" letter-spacing="2" text-anchor="middle" fill="#fff">${text}</text>`
  );
}

/** Up to two initials of a slug: `copperwing-sparrow` → `CS`. Slugs are [a-z0-9-], so safe in SVG text. */
export function initials(slug: string): string {
  return slug
    .split("-")
    .filter((word) => word.length > 0)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase())
    .join("");
}
