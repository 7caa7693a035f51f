import { status as Status } from "@grpc/grpc-js";
import type { HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import type { PromiseClient } from "../../services/platform/calls/grpc-client.js";
import { heroInput } from "./heroes-setup.js";

/** One request the heroes service must refuse, and exactly how. */
export interface InvalidHeroCase {
  what: string;
  call(client: PromiseClient<typeof HeroService>, existingId: bigint): Promise<unknown>;
  code: Status;
  details: string;
}

const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const pictureError = (got: string) =>
  `hero.picture: must be empty, an http(s) URL or a path starting with "/", got "${got}"`;

/** Every bad input of the heroes RPCs, one per row (issue 3). */
export const invalidHeroCases: readonly InvalidHeroCase[] = [
  {
    what: "count 0",
    call: (c) => c.getRandomHeroes({ count: 0 }),
    code: Status.INVALID_ARGUMENT,
    details: "count: must be from 1 to 1000, got 0",
  },
  {
    what: "count 1001",
    call: (c) => c.getRandomHeroes({ count: 1001 }),
    code: Status.INVALID_ARGUMENT,
    details: "count: must be from 1 to 1000, got 1001",
  },
  {
    what: "count -1",
    call: (c) => c.getRandomHeroes({ count: -1 }),
    code: Status.INVALID_ARGUMENT,
    details: "count: must be from 1 to 1000, got -1",
  },
  {
    what: "get id 0",
    call: (c) => c.getHero({ id: 0n }),
    code: Status.INVALID_ARGUMENT,
    details: "id: must be greater than 0, got 0",
  },
  {
    what: "get id -5",
    call: (c) => c.getHero({ id: -5n }),
    code: Status.INVALID_ARGUMENT,
    details: "id: must be greater than 0, got -5",
  },
  {
    what: "batch of no ids",
    call: (c) => c.batchGetHeroes({ ids: [] }),
    code: Status.INVALID_ARGUMENT,
    details: "ids: must hold 1 to 1000 ids, got 0",
  },
  {
    what: "batch of 1001 ids",
    call: (c) => c.batchGetHeroes({ ids: Array.from({ length: 1001 }, (_, i) => BigInt(i + 1)) }),
    code: Status.INVALID_ARGUMENT,
    details: "ids: must hold 1 to 1000 ids, got 1001",
  },
  {
    what: "batch with id 0",
    call: (c, id) => c.batchGetHeroes({ ids: [id, 0n] }),
    code: Status.INVALID_ARGUMENT,
    details: "ids[1]: must be greater than 0, got 0",
  },
  {
    what: "page_size 101",
    call: (c) => c.listHeroes({ pageSize: 101 }),
    code: Status.INVALID_ARGUMENT,
    details: "page_size: must be from 0 to 100 (0 means 20), got 101",
  },
  {
    what: "page_size -1",
    call: (c) => c.listHeroes({ pageSize: -1 }),
    code: Status.INVALID_ARGUMENT,
    details: "page_size: must be from 0 to 100 (0 means 20), got -1",
  },
  {
    what: "name_filter of 51 characters",
    call: (c) => c.listHeroes({ nameFilter: "x".repeat(51) }),
    code: Status.INVALID_ARGUMENT,
    details: "name_filter: must be at most 50 characters, got 51",
  },
  {
    what: "garbage page_token",
    call: (c) => c.listHeroes({ pageToken: "not a token!" }),
    code: Status.INVALID_ARGUMENT,
    details:
      "page_token: is not a token this server issued; pass next_page_token from the previous response, or empty for the first page",
  },
  {
    what: "forged page_token carrying SQL",
    call: (c) => c.listHeroes({ pageToken: token({ v: 1, k: "0 or 1=1", f: "" }) }),
    code: Status.INVALID_ARGUMENT,
    details:
      "page_token: is not a token this server issued; pass next_page_token from the previous response, or empty for the first page",
  },
  {
    what: "forged page_token with a negative id",
    call: (c) => c.listHeroes({ pageToken: token({ v: 1, k: -1, f: "" }) }),
    code: Status.INVALID_ARGUMENT,
    details:
      "page_token: is not a token this server issued; pass next_page_token from the previous response, or empty for the first page",
  },
  {
    what: "page_token of another name_filter",
    call: (c) => c.listHeroes({ pageToken: token({ v: 1, k: 1, f: "a" }), nameFilter: "b" }),
    code: Status.INVALID_ARGUMENT,
    details: "page_token: was issued for a different filter; start again from an empty page_token",
  },
  {
    what: "create without a hero",
    call: (c) => c.createHero({}),
    code: Status.INVALID_ARGUMENT,
    details: "hero: is required",
  },
  {
    what: "name of 2 characters",
    call: (c) => c.createHero({ hero: heroInput("ab") }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.name: must be 3 to 50 characters, got 2",
  },
  {
    what: "name of 51 characters",
    call: (c) => c.createHero({ hero: heroInput("n".repeat(51)) }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.name: must be 3 to 50 characters, got 51",
  },
  {
    what: "level 0",
    call: (c) => c.createHero({ hero: heroInput("Zero Level", 0) }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.level: must be an integer from 1 to 2147483647, got 0",
  },
  {
    what: "level -3",
    call: (c) => c.createHero({ hero: heroInput("Negative Level", -3) }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.level: must be an integer from 1 to 2147483647, got -3",
  },
  {
    what: "other_name of 101 characters",
    call: (c) => c.createHero({ hero: { ...heroInput("Long Alias"), otherName: "o".repeat(101) } }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.other_name: must be at most 100 characters, got 101",
  },
  {
    what: "powers of 2001 characters",
    call: (c) => c.createHero({ hero: { ...heroInput("Many Powers"), powers: "p".repeat(2001) } }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.powers: must be at most 2000 characters, got 2001",
  },
  {
    what: "picture with a javascript: URL",
    call: (c) => c.createHero({ hero: { ...heroInput("Bad Picture"), picture: "javascript:alert(1)" } }),
    code: Status.INVALID_ARGUMENT,
    details: pictureError("javascript:alert(1)"),
  },
  {
    what: "picture of 2049 characters",
    call: (c) => c.createHero({ hero: { ...heroInput("Huge Picture"), picture: `/${"p".repeat(2048)}` } }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.picture: must be at most 2048 characters, got 2049",
  },
  {
    what: "update without a hero",
    call: (c) => c.updateHero({}),
    code: Status.INVALID_ARGUMENT,
    details: "hero: is required",
  },
  {
    what: "update id 0",
    call: (c) => c.updateHero({ hero: heroInput("No Id") }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.id: must be greater than 0, got 0",
  },
  {
    what: "update mask with an unknown path",
    call: (c, id) => c.updateHero({ hero: { id, ...heroInput("Masked") }, updateMask: { paths: ["name", "nme"] } }),
    code: Status.INVALID_ARGUMENT,
    details: 'update_mask.paths[1]: unknown field "nme"; allowed: name, other_name, level, picture, powers',
  },
  {
    what: "update of a masked field to a bad value",
    call: (c, id) => c.updateHero({ hero: { id, name: "x" }, updateMask: { paths: ["name"] } }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.name: must be 3 to 50 characters, got 1",
  },
  {
    what: "update of all fields with one bad",
    call: (c, id) => c.updateHero({ hero: { id, ...heroInput("Fine Name", 0) } }),
    code: Status.INVALID_ARGUMENT,
    details: "hero.level: must be an integer from 1 to 2147483647, got 0",
  },
  {
    what: "delete id 0",
    call: (c) => c.deleteHero({ id: 0n }),
    code: Status.INVALID_ARGUMENT,
    details: "id: must be greater than 0, got 0",
  },
];
