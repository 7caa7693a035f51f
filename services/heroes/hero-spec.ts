import { createFighterSpec } from "../domain/fighter-catalog.js";

/** The heroes catalog: table `heroes`, the fields and rules every fighter has. */
export const heroSpec = createFighterSpec({ singular: "hero", plural: "heroes" });
