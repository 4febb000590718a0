// Why a registry cannot be opened at all, in words a person can act on. Each says that
// nothing was changed and what to do; the CLI gives each its own exit code, and
// `baryon serve` stops with the same words.
import { RegistryError } from "../../ports/registry.js";

/** The registry cannot be used as it is; nothing was changed, and only a person can fix it. */
export class RegistryUnavailableError extends RegistryError {
  override name = "RegistryUnavailableError";
}

/** The embedded registry's data directory is damaged, unreadable, or not a registry. */
export class RegistryUnreadableError extends RegistryUnavailableError {
  override name = "RegistryUnreadableError";
  constructor(
    readonly dataDir: string,
    /** What is wrong with it, e.g. "global/pg_control is damaged". */
    readonly reason: string,
    options: { cause?: unknown; code?: string; now?: Date; changed?: readonly string[] | "unknown" } = {},
  ) {
    const { changed = [] } = options;
    super(
      `the registry in ${dataDir} cannot be read: ${reason}. ${changedText(changed)}\n` +
        `Restore it from a backup, or move it aside and run the command again to start a new, empty registry:\n` +
        `  mv ${shellQuote(dataDir)} ${shellQuote(`${dataDir}.damaged-${stamp(options.now ?? new Date())}`)}`,
      options,
    );
  }
}

/** The Postgres of DATABASE_URL could not be reached (or refused the connection). */
export class RegistryUnreachableError extends RegistryUnavailableError {
  override name = "RegistryUnreachableError";
  constructor(
    /** host:port of the server, never the credentials. */
    readonly address: string,
    reason: string,
    options: { cause?: unknown; code?: string } = {},
  ) {
    super(`cannot reach the registry's Postgres at ${address}: ${reason}. Nothing was changed.\nCheck DATABASE_URL and that the server is running.`, options);
  }
}

/** The registry records a migration this Baryon does not have: a newer Baryon wrote it. */
export class RegistryTooNewError extends RegistryUnavailableError {
  override name = "RegistryTooNewError";
  constructor(readonly migration: string) {
    super(`the registry was migrated by a newer Baryon (migration ${migration}); upgrade Baryon. Nothing was changed.`);
  }
}

function changedText(changed: readonly string[] | "unknown"): string {
  if (changed === "unknown") return "PGlite may have changed files in it before it failed (they could not be checked).";
  return changed.length ? `PGlite changed ${changed.join(", ")} before it failed.` : "Nothing was changed.";
}

/** Where a postgres:// URL points, as host:port (default port 5432), without user or password. */
export function databaseAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`;
  } catch {
    return "the address in DATABASE_URL";
  }
}

/** A name for the moved-aside directory that no earlier move took: 20250102-030405. */
function stamp(now: Date): string {
  return now.toISOString().slice(0, 19).replaceAll("-", "").replace("T", "-").replaceAll(":", "");
}

function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
