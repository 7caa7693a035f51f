import { locationKinds, type LocationKind } from "../../domain/location-fields.js";
import { fighterEmblemSvg } from "../pictures/fighter-emblem.js";
import { locationSceneSvg } from "../pictures/location-scene.js";

/**
 * Pictures of fighters and locations, drawn here as SVG so the page needs nothing from the
 * internet: `/pictures/<heroes|villains|locations>/<slug>.svg` and the three fallbacks. The page
 * adds what it knows of the fighter or location as query parameters (`level`, `powers`, `type`),
 * and the picture is drawn from them: an emblem with a symbol from the powers and rank stars from
 * the level, a scene from the location's kind. Without them the picture is drawn from the slug
 * alone. The same URL always gives the same picture.
 */
export function pictureSvg(url: URL): string | undefined {
  const match =
    /^\/pictures\/(?:(heroes|villains|locations)\/([a-z0-9-]{1,80})|fallback-(hero|villain|location))\.svg$/.exec(
      url.pathname,
    );
  if (match === null) return undefined;
  const [, group, name, fallback] = match;
  const slug = name ?? `fallback-${fallback}`;
  const kind =
    group === "heroes" || fallback === "hero"
      ? "hero"
      : group === "villains" || fallback === "villain"
        ? "villain"
        : "location";
  const body =
    kind === "location"
      ? locationSceneSvg({ slug, kind: locationKind(url.searchParams.get("type")), fallback: fallback !== undefined })
      : fighterEmblemSvg({
          slug,
          side: kind,
          level: level(url.searchParams.get("level")),
          powers: url.searchParams.get("powers")?.slice(0, 500) ?? undefined,
          fallback: fallback !== undefined,
        });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img" aria-label="${slug}">${body}</svg>`;
}

function level(text: string | null): number | undefined {
  const value = Number(text);
  return text === null || !Number.isSafeInteger(value) || value < 1 ? undefined : value;
}

function locationKind(text: string | null): LocationKind | undefined {
  return locationKinds.find((kind) => kind === text);
}
