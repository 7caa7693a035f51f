import type { PoolClientLike, PoolLike } from "./pglite-pool.js";

/** What kysely's PostgreSQL driver sends to open a transaction: `begin`, or `start transaction …`. */
const transactionStart = /^\s*(begin|start\s+transaction)\b/i;
/** What ends one: an empty transaction ends without ever reaching the database. */
const transactionEnd = /^\s*(commit|rollback|end|abort)\s*$/i;

/** The tag PostgreSQL answers each way of ending a transaction with. */
const endCommand: Record<string, string> = { commit: "COMMIT", end: "COMMIT", rollback: "ROLLBACK", abort: "ROLLBACK" };

type QueryResult = Awaited<ReturnType<PoolClientLike["query"]>>;

/**
 * `pool` with each transaction's BEGIN sent in the same round trip as the transaction's first
 * statement. kysely's driver awaits BEGIN's answer before it sends anything else, so a transaction
 * of one statement costs three round trips (BEGIN, the statement, COMMIT); here the BEGIN is held
 * back (answered at once: it returns nothing kysely reads) and written right before the first
 * statement. On a pg client in pipeline mode both go out together and the transaction costs two
 * round trips (measured: the fights insert's commit stage, see the README); on any other client
 * they are queued one after the other, as before. The rows, errors and COMMIT are unchanged, so a
 * decision taken between the statement and COMMIT (the fights writer's deadline check) still is.
 *
 * The statement runs outside a transaction only if BEGIN itself fails while the connection stays
 * up, which an idle PostgreSQL session does not do; the caller then gets BEGIN's error.
 */
export function fusedBeginPool(pool: PoolLike): PoolLike {
  return {
    async connect() {
      return fusedBeginClient(await pool.connect());
    },
    end: () => pool.end(),
  };
}

function fusedBeginClient(client: PoolClientLike): PoolClientLike {
  /** The BEGIN held back until the transaction's first statement, if any. */
  let heldBegin: string | undefined;
  return {
    query(sql, parameters) {
      if (transactionStart.test(sql) && parameters.length === 0) {
        heldBegin = sql;
        return Promise.resolve({ command: "BEGIN", rowCount: null, rows: [] });
      }
      const begin = heldBegin;
      heldBegin = undefined;
      if (begin === undefined) return client.query(sql, parameters);
      const end = transactionEnd.exec(sql)?.[1]?.toLowerCase();
      if (end !== undefined) return Promise.resolve({ command: endCommand[end], rowCount: null, rows: [] });
      return beginThen(client, begin, sql, parameters);
    },
    release(destroy) {
      heldBegin = undefined;
      client.release(destroy);
    },
  };
}

/** BEGIN and `sql` written back to back; resolves with `sql`'s answer, or rejects with the first error. */
function beginThen(
  client: PoolClientLike,
  begin: string,
  sql: string,
  parameters: readonly unknown[],
): Promise<QueryResult> {
  const begun = client.query(begin, []);
  const statement = client.query(sql, parameters);
  return begun.then(
    () => statement,
    (error: unknown) => {
      statement.catch(() => undefined);
      throw error;
    },
  );
}
