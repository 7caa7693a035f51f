import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, createEnvReader, type EnvReader, loadConfig } from "./env-reader.js";

interface BadValueCase {
  what: string;
  env: Record<string, string>;
  read: (env: EnvReader) => unknown;
  variable: string;
  message: string;
}

const badValues: BadValueCase[] = [
  {
    what: "an int with letters",
    env: { X_RETRIES: "12x" },
    read: (env) => env.int("X_RETRIES", 3, { min: 0, max: 10 }),
    variable: "X_RETRIES",
    message: 'X_RETRIES: "12x" is not an integer from 0 to 10',
  },
  {
    what: "an int above its range",
    env: { X_RETRIES: "11" },
    read: (env) => env.int("X_RETRIES", 3, { min: 0, max: 10 }),
    variable: "X_RETRIES",
    message: 'X_RETRIES: "11" is not an integer from 0 to 10',
  },
  {
    what: "a fractional int",
    env: { X_RETRIES: "1.5" },
    read: (env) => env.int("X_RETRIES", 3, { min: 0, max: 10 }),
    variable: "X_RETRIES",
    message: 'X_RETRIES: "1.5" is not an integer from 0 to 10',
  },
  {
    what: "a port that is a word",
    env: { X_PORT: "abc" },
    read: (env) => env.port("X_PORT", 1),
    variable: "X_PORT",
    message: 'X_PORT: "abc" is not an integer from 0 to 65535',
  },
  {
    what: "a port above 65535",
    env: { X_PORT: "65536" },
    read: (env) => env.port("X_PORT", 1),
    variable: "X_PORT",
    message: 'X_PORT: "65536" is not an integer from 0 to 65535',
  },
  {
    what: "a negative port",
    env: { X_PORT: "-1" },
    read: (env) => env.port("X_PORT", 1),
    variable: "X_PORT",
    message: 'X_PORT: "-1" is not an integer from 0 to 65535',
  },
  {
    what: "a bool that is not one",
    env: { X_ON: "maybe" },
    read: (env) => env.bool("X_ON", false),
    variable: "X_ON",
    message: 'X_ON: "maybe" is not a boolean (true/false, 1/0, yes/no, on/off)',
  },
  {
    what: "an enum value not allowed",
    env: { X_LEVEL: "loud" },
    read: (env) => env.oneOf("X_LEVEL", ["info", "debug"] as const, "info"),
    variable: "X_LEVEL",
    message: 'X_LEVEL: "loud" is not one of info, debug',
  },
  {
    what: "a host with a space",
    env: { X_HOST: "my host" },
    read: (env) => env.host("X_HOST", "127.0.0.1"),
    variable: "X_HOST",
    message: 'X_HOST: "my host" is not a host name or IP address',
  },
];

describe("createEnvReader", () => {
  for (const { what, env, read, variable, message } of badValues) {
    it(`refuses ${what}, naming the variable and what is allowed`, () => {
      assert.throws(
        () => read(createEnvReader(env)),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.name, "ConfigError");
          assert.equal(error.variable, variable);
          assert.equal(error.message, message);
          return true;
        },
      );
    });
  }

  it("reads valid values, trimmed", () => {
    const env = createEnvReader({ A: " 42 ", P: "0", B: "YES", E: "debug", H: "::1", S: " text " });
    assert.equal(env.int("A", 1), 42);
    assert.equal(env.port("P", 1), 0);
    assert.equal(env.bool("B", false), true);
    assert.equal(env.oneOf("E", ["info", "debug"] as const, "info"), "debug");
    assert.equal(env.host("H", "127.0.0.1"), "::1");
    assert.equal(env.string("S", "fallback"), "text");
  });

  it("uses the fallback for unset and empty variables", () => {
    const env = createEnvReader({ EMPTY: "", BLANK: "  " });
    assert.equal(env.int("EMPTY", 7), 7);
    assert.equal(env.port("BLANK", 50051), 50051);
    assert.equal(env.bool("UNSET", true), true);
    assert.equal(env.optionalString("BLANK"), undefined);
    assert.equal(env.host("UNSET", "0.0.0.0"), "0.0.0.0");
  });
});

describe("loadConfig", () => {
  it("returns the frozen result of a read that succeeds", () => {
    const config = loadConfig((env) => ({ port: env.port("X_PORT", 1) }), { X_PORT: "8080" });
    assert.deepEqual(config, { port: 8080 });
    assert.ok(Object.isFrozen(config));
  });

  it("lets errors other than ConfigError through", () => {
    assert.throws(
      () =>
        loadConfig(() => {
          throw new RangeError("a bug, not a setting");
        }, {}),
      { name: "RangeError", message: "a bug, not a setting" },
    );
  });
});
