import { createFighterSpec } from "../domain/fighter-catalog.js";

/** The villains catalog: table `villains`, the fields and rules every fighter has. */
export const villainSpec = createFighterSpec({ singular: "villain", plural: "villains" });
