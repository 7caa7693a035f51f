import { InvalidArgumentError } from "../core/errors.js";
import type { CatalogInput } from "./catalog-spec.js";
import type { Fighter } from "./fighter-spec.js";

/**
 * Conversions the thin grpc adapters of the catalog services share: proto int64 ids are
 * bigints, domain ids are numbers.
 */

/** A proto id as a domain number; ids too large to be exact stay too large, so they are not found. */
export function idFromProto(id: bigint): number {
  return Number(id);
}

/** Proto ids as domain numbers. */
export function idsFromProto(ids: readonly bigint[]): number[] {
  return ids.map(idFromProto);
}

/** A domain id as a proto int64. */
export function idToProto(id: number): bigint {
  return BigInt(id);
}

/** The paths of an optional FieldMask; none (all fields) when absent. */
export function maskPathsFromProto(mask: { paths: string[] } | undefined): string[] {
  return mask?.paths ?? [];
}

/** The fields a Hero or Villain proto message has (both have the same shape). */
export interface FighterMessage {
  id: bigint;
  name: string;
  otherName: string;
  level: number;
  picture: string;
  powers: string;
}

/** A domain fighter as the init shape of a Hero or Villain message. */
export function fighterToProto(fighter: Fighter): FighterMessage {
  return { ...fighter, id: idToProto(fighter.id) };
}

/** The domain input in a Hero or Villain message (its id is not part of it). */
export function fighterInputFromProto(message: FighterMessage): CatalogInput<Fighter> {
  const { name, otherName, level, picture, powers } = message;
  return { name, otherName, level, picture, powers };
}

/** `message`, or InvalidArgumentError naming `field` when the request left it out. */
export function required<M>(message: M | undefined, field: string): M {
  if (message === undefined) throw new InvalidArgumentError(field, "is required");
  return message;
}
