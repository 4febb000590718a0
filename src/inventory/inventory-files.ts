// Which files of a repository snapshot are inventory: every YAML file under the
// inventory folders the config names (this repository's; another repository's
// folders are read by whoever can reach it). Pure.
import { decodeTextFile, type Snapshot } from "../bundle/files.js";
import { warningAt, type Diagnostic } from "../bundle/diagnostics.js";
import { LIMITS } from "../bundle/parse/limits.js";
import type { InventoryLocation } from "../config/repo-config.js";
import type { InventoryFile } from "./check-inventory.js";

const YAML = /\.ya?ml$/i;

export interface FoundInventory {
  files: InventoryFile[];
  diagnostics: Diagnostic[];
}

/**
 * The inventory files under `locations` in one repository's snapshot, in path order.
 * `repository` prefixes the paths when the snapshot is another repository's
 * (`platform-fleet:environments/prod.yaml`), so diagnostics say where a file is.
 */
export function inventoryFiles(snapshot: Snapshot, locations: readonly InventoryLocation[], repository?: string): FoundInventory {
  const files: InventoryFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const shown = (path: string) => (repository ? `${repository}:${path}` : path);
  const under = (path: string) => locations.some((l) => path.startsWith(`${l.path}/`));
  for (const path of [...snapshot.files.keys()].filter((p) => YAML.test(p) && under(p)).sort()) {
    const decoded = decodeTextFile(shown(path), snapshot.files.get(path)!, LIMITS.otherFileBytes);
    if (decoded.text !== undefined) files.push({ file: shown(path), text: decoded.text });
    else diagnostics.push(decoded.diagnostic!);
  }
  for (const [link, target] of snapshot.symlinks ?? []) {
    if (YAML.test(link) && under(link)) {
      diagnostics.push(warningAt(shown(link), "inventory-symlink", `inventory file is a symbolic link to ${target}; links are not followed, so it is not part of the inventory: commit the file itself`));
    }
  }
  return { files, diagnostics };
}
