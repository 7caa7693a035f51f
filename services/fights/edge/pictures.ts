import { createHash } from "node:crypto";

/**
 * Pictures of fighters and locations, drawn here as SVG so the page needs nothing from the
 * internet: `/pictures/<heroes|villains|locations>/<slug>.svg` and the three fallbacks.
 * Each is a coloured badge with the initials, its colour derived from the slug.
 */
export function pictureSvg(path: string): string | undefined {
  const match =
    /^\/pictures\/(?:(heroes|villains|locations)\/([a-z0-9-]{1,80})|(fallback-(?:hero|villain|location)))\.svg$/.exec(
      path,
    );
  if (match === null) return undefined;
  const [, group = "fallbacks", slug = match[3] ?? "unknown"] = match;
  const hue = createHash("sha256").update(slug).digest()[0]! * (360 / 256);
  const initials = slug
    .split("-")
    .filter((word) => word.length > 0)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase())
    .join("");
  const shape =
    group === "locations" ? `<rect x="8" y="8" width="184" height="184" rx="24"` : `<circle cx="100" cy="100" r="92"`;
  const ring = group === "villains" ? "#7f1d1d" : group === "heroes" ? "#1e3a8a" : "#374151";
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img" aria-label="${slug}">`,
    `${shape} fill="hsl(${hue.toFixed(0)} 60% 45%)" stroke="${ring}" stroke-width="8"/>`,
    `<text x="100" y="124" font-family="sans-serif" font-size="72" font-weight="700" text-anchor="middle" fill="#fff">${initials}</text>`,
    `</svg>`,
  ].join("");
}
