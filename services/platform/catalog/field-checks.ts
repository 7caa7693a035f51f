/**
 * Reusable field checks for catalog specs. Each returns what is wrong with a value, phrased for
 * the person who sent it, or undefined when the value is fine.
 */

/** A check of one value. */
export type FieldCheck<V> = (value: V) => string | undefined;

/** Length in characters (code points), so an emoji counts once. */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** A string of `min` to `max` characters. */
export function lengthBetween(min: number, max: number): FieldCheck<string> {
  return (value) => {
    const length = characterCount(value);
    return length < min || length > max ? `must be ${min} to ${max} characters, got ${length}` : undefined;
  };
}

/** A string of at most `max` characters (empty allowed). */
export function atMostCharacters(max: number): FieldCheck<string> {
  return (value) => {
    const length = characterCount(value);
    return length > max ? `must be at most ${max} characters, got ${length}` : undefined;
  };
}

/** An integer greater than 0 that fits a PostgreSQL `integer`. */
export const positiveInteger: FieldCheck<number> = (value) =>
  Number.isInteger(value) && value > 0 && value <= 2_147_483_647
    ? undefined
    : `must be an integer from 1 to 2147483647, got ${value}`;

/** Longest picture reference accepted, in characters. */
export const maxPictureLength = 2048;

/**
 * A picture reference: empty, an absolute http(s) URL, or a site path starting with "/", at
 * most `maxPictureLength` characters.
 */
export const pictureReference: FieldCheck<string> = (value) => {
  const tooLong = atMostCharacters(maxPictureLength)(value);
  if (tooLong !== undefined) return tooLong;
  if (value === "" || (value.startsWith("/") && !value.startsWith("//") && !/\s/.test(value))) return undefined;
  if (/^https?:\/\//i.test(value) && URL.canParse(value)) return undefined;
  return `must be empty, an http(s) URL or a path starting with "/", got "${abbreviate(value)}"`;
};

/** One of `allowed`. */
export function oneOf<V extends string>(allowed: readonly V[]): FieldCheck<string> {
  return (value) =>
    allowed.includes(value as V)
      ? undefined
      : `must be one of ${allowed.join(", ")}, got ${value === "" ? "an empty value" : `"${abbreviate(value)}"`}`;
}

function abbreviate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/**
 * What is wrong with `value` for a field checked by `check`: first the rule every text field
 * has (PostgreSQL text cannot hold U+0000; refused here, it would fail in SQL as INTERNAL),
 * then the field's own. Undefined when the value is fine.
 */
export function fieldProblem<V>(check: FieldCheck<V>, value: V): string | undefined {
  if (typeof value === "string" && value.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  return check(value);
}
