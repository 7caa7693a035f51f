import { createFighterSpec, type Fighter } from "../platform/catalog/fighter-spec.js";

/** A hero as the domain sees it. */
export type Hero = Fighter;

/** The heroes catalog: table `heroes`, fields and validation of the reference system. */
export const heroSpec = createFighterSpec({ singular: "hero", plural: "heroes" });
