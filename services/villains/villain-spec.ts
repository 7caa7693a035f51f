import { createFighterSpec, type Fighter } from "../platform/catalog/fighter-spec.js";

/** A villain as the domain sees it. */
export type Villain = Fighter;

/** The villains catalog: table `villains`, fields and validation of the reference system. */
export const villainSpec = createFighterSpec({ singular: "villain", plural: "villains" });
