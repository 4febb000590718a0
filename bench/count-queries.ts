// Counting what the registry is asked, without touching production code: a Db
// that counts SQL statements and rows before the one SQL Registry sees them, and
// a proxy that counts calls to each store method.
import type { Db, Queryable, Row, Session } from "../src/adapters/registry/db.js";

export interface QueryCounts {
  /** SQL statements sent (BEGIN/COMMIT of a transaction not included). */
  statements: number;
  transactions: number;
  /** Rows the statements returned. */
  rows: number;
  /** Method → calls, e.g. `deployments.resources` → 14000. */
  calls: Map<string, number>;
  /** Method (or `sql` for every statement) → milliseconds spent in its calls, summed over concurrent calls. */
  busyMs: Map<string, number>;
}

export const emptyCounts = (): QueryCounts => ({ statements: 0, transactions: 0, rows: 0, calls: new Map(), busyMs: new Map() });

export function resetCounts(counts: QueryCounts): void {
  Object.assign(counts, emptyCounts());
}

export function countingDb(db: Db, counts: QueryCounts): Db {
  const queryable = (inner: Queryable): Queryable => ({
    query: async <R extends Row>(sql: string, params?: readonly unknown[]) => {
      counts.statements++;
      const start = performance.now();
      const rows = await inner.query<R>(sql, params);
      add(counts.busyMs, "sql", performance.now() - start);
      counts.rows += rows.length;
      return rows;
    },
    exec: (script) => {
      counts.statements++;
      return inner.exec(script);
    },
  });
  const session = (inner: Session): Session => ({
    ...queryable(inner),
    transaction: (fn) => {
      counts.transactions++;
      return inner.transaction((tx) => fn(queryable(tx)));
    },
  });
  return { ...session(db), exclusive: (key, fn) => db.exclusive(key, (s) => fn(session(s))), close: () => db.close() };
}

const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);

/** The same object, counting and timing each method call under `<prefix>.<method>`. */
export function countingCalls<T extends object>(target: T, prefix: string, counts: QueryCounts): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== "function") return value;
      const name = `${prefix}.${String(property)}`;
      return async (...args: unknown[]) => {
        add(counts.calls, name, 1);
        const start = performance.now();
        try {
          return await (value as (...a: unknown[]) => unknown).apply(object, args);
        } finally {
          add(counts.busyMs, name, performance.now() - start);
        }
      };
    },
  });
}
