// What each Registry contract file needs: a place of its own per test (a schema), registries
// and raw handles on it, all closed and dropped after the test.
import { afterEach, beforeEach } from "vitest";
import type { Db } from "../../src/adapters/registry/db.js";
import type { Owner, Registry, VersionStore } from "../../src/ports/registry.js";

/** One test's database, apart from every other test's (its own schema). */
export interface RegistryPlace {
  /** A migrated registry on this place; each call opens its own connections, like another worker. */
  open(): Promise<Registry>;
  /** A raw database handle on this place, not migrated. */
  openDb(): Db;
  /** Drops what the test created. */
  teardown(): Promise<void>;
}

export interface RegistryTarget {
  setup(): Promise<RegistryPlace>;
}

/** The owner of the contract's templates unless a test says otherwise. */
export const ACME: Owner = { login: "acme", installationId: 4201 };

export interface PlaceHandles {
  /** A migrated registry, closed after the test. */
  open(): Promise<Registry>;
  /** The version store of `owner` (default ACME) on a newly opened registry. */
  store(owner?: Owner): Promise<VersionStore>;
  /** A raw, unmigrated handle, closed after the test. */
  openDb(): Db;
}

/** Registers the per-test setup and teardown in the calling describe block. */
export function usePlace(target: RegistryTarget): PlaceHandles {
  let place: RegistryPlace;
  let opened: { close(): Promise<void> }[];

  beforeEach(async () => {
    place = await target.setup();
    opened = [];
  });

  afterEach(async () => {
    await Promise.all(opened.map((handle) => handle.close()));
    await place.teardown();
  });

  const open = async (): Promise<Registry> => {
    const registry = await place.open();
    opened.push(registry);
    return registry;
  };
  return {
    open,
    store: async (owner = ACME) => (await open()).versions(owner),
    openDb: () => {
      const db = place.openDb();
      opened.push(db);
      return db;
    },
  };
}
