import { h } from "../dom.js";

/** What a picture shows, which picks its placeholder. */
export type PictureKind = "hero" | "villain" | "location";

/**
 * An `<img>` of a fighter or location. Only pictures of this origin (or data URIs) are loaded, so
 * the page never reaches the internet; a missing or broken picture shows a local placeholder.
 */
export function createPicture(
  src: string,
  alt: string,
  kind: PictureKind,
  traits: Record<string, string> = {},
): HTMLImageElement {
  const image = h("img", { class: "picture", alt, width: 160, height: 160, decoding: "async" });
  image.addEventListener(
    "error",
    () => {
      image.dataset["placeholder"] = "true";
      image.src = placeholders[kind];
    },
    { once: true },
  );
  const url = localPictureUrl(src, traits);
  if (url === undefined) image.dataset["placeholder"] = "true";
  image.src = url ?? placeholders[kind];
  return image;
}

/**
 * `src` resolved against this page when it is local (same origin or a data URI); else undefined.
 * `traits` (level, powers, type) go along as query parameters to this origin's `/pictures/`, which
 * draws the picture from them (services/fights/edge/pictures.ts).
 */
export function localPictureUrl(src: string, traits: Record<string, string> = {}): string | undefined {
  if (src.trim().length === 0) return undefined;
  try {
    const url = new URL(src, location.origin);
    if (url.origin === location.origin && url.pathname.startsWith("/pictures/"))
      for (const [name, value] of Object.entries(traits)) url.searchParams.set(name, value);
    return url.origin === location.origin || url.protocol === "data:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const colours: Record<PictureKind, string> = { hero: "#2563eb", villain: "#dc2626", location: "#0d9488" };

/** Inline SVG silhouettes (a figure, or a landscape for locations) as data URIs. */
const placeholders: Record<PictureKind, string> = {
  hero: svgUri(figure(colours.hero)),
  villain: svgUri(figure(colours.villain)),
  location: svgUri(landscape(colours.location)),
};

function figure(colour: string): string {
  return (
    `<circle cx="100" cy="100" r="96" fill="#1f2937" stroke="${colour}" stroke-width="8"/>` +
    `<circle cx="100" cy="78" r="30" fill="${colour}" opacity=".85"/>` +
    `<path d="M46 164c6-32 28-48 54-48s48 16 54 48z" fill="${colour}" opacity=".85"/>`
  );
}

function landscape(colour: string): string {
  return (
    `<rect x="4" y="4" width="192" height="192" rx="24" fill="#1f2937" stroke="${colour}" stroke-width="8"/>` +
    `<circle cx="140" cy="64" r="18" fill="${colour}" opacity=".85"/>` +
    `<path d="M20 170l50-70 34 44 22-26 54 52z" fill="${colour}" opacity=".85"/>`
  );
}

function svgUri(body: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200">${body}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
