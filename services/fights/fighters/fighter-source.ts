import type { CallContext } from "../../platform/core/call-context.js";
import type { Fighter, Place } from "../fight.js";

/**
 * Where fights get random fighters. The service depends on this narrow interface, never on a
 * gRPC client: implementations call the upstreams directly, coalesce calls, or serve a pool.
 * Each method returns up to `count` distinct picks (fewer only when fewer exist) or rejects.
 */
export interface FighterSource {
  heroes(count: number, context: CallContext): Promise<Fighter[]>;
  villains(count: number, context: CallContext): Promise<Fighter[]>;
  locations(count: number, context: CallContext): Promise<Place[]>;
}

/** The three kinds of pick, named like the FighterSource methods. */
export type FighterKind = keyof FighterSource;
export const fighterKinds: readonly FighterKind[] = ["heroes", "villains", "locations"];
