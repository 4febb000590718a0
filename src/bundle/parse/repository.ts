// parseRepository: from a repository snapshot (paths → bytes) to templates,
// bundles and specs, with every problem as a Diagnostic. Pure: the snapshot is
// read by an adapter (filesystem, git, GitHub) before this is called.
import { errorAt, warningAt, type Diagnostic } from "../diagnostics.js";
import { decodeTextFile, unsafePathReason, type Snapshot } from "../files.js";
import type { Bundle, Spec, Template } from "../model.js";
import { parseBundleFolder } from "./bundle-folder.js";
import { findStrayBundles, findVersionFolders, isExampleSpec, type VersionFolder } from "./layout.js";
import { LIMITS } from "./limits.js";
import { parseSpec, specSymlinkWarnings } from "./spec.js";

export interface LoadOptions {
  /** Only look for templates under this folder (repository-relative). */
  templates?: string;
}

export interface LoadedRepository {
  templates: Template[];
  diagnostics: Diagnostic[];
}

const NAME = /^[0-9A-Za-z][0-9A-Za-z_-]*$/;

export function parseRepository(snapshot: Snapshot, options: LoadOptions = {}): LoadedRepository {
  const diagnostics: Diagnostic[] = [];
  const files = new Map<string, Uint8Array>();
  for (const [path, bytes] of snapshot.files) {
    const reason = unsafePathReason(path);
    if (reason) diagnostics.push(errorAt(path, "path-unsafe", `refusing file: ${reason}`));
    else files.set(path, bytes);
  }
  const symlinks = snapshot.symlinks ?? new Map<string, string>();
  const tree: Snapshot = { files, symlinks, nonRegular: snapshot.nonRegular ?? new Map() };
  // A link or a FIFO in place of a bundle file still marks the folder, so that it is reported there.
  const paths = [...files.keys(), ...symlinks.keys(), ...tree.nonRegular!.keys()];
  const folders = findVersionFolders(paths, options.templates);
  for (const { dir, file } of findStrayBundles(paths, folders, options.templates)) {
    const name = dir.split("/").at(-1) || "<template>";
    diagnostics.push(warningAt(file, "bundle-outside-layout",
      `${dir || "the repository's top folder"} holds a bundle but is not a major version folder <template>/v<MAJOR>/ (or <template>/<MAJOR>/), so it is skipped: ` +
      `move it into ${dir ? `${dir}/v1` : "<template>/v1"}, or check it alone with \`baryon validate ${dir || "."} --template ${name}@1\``));
  }

  const byTemplate = new Map<string, VersionFolder[]>();
  for (const folder of folders) byTemplate.set(folder.templateDir, [...(byTemplate.get(folder.templateDir) ?? []), folder]);

  const templates: Template[] = [];
  for (const [templateDir, versions] of byTemplate) {
    const name = versions[0]!.template;
    const nameProblem = checkName(name);
    if (nameProblem) {
      diagnostics.push(errorAt(versions[0]!.dir, "template-name", nameProblem));
      continue;
    }
    const bundles: Bundle[] = [];
    versions.forEach((v, i) => {
      const twin = versions[i - 1];
      if (twin?.major === v.major) {
        diagnostics.push(errorAt(v.dir, "template-major-twice", `${twin.dir} and ${v.dir} are both major ${v.major} of ${name}; keep one of them`));
        return;
      }
      const bundle = parseBundleFolder(tree, v, diagnostics);
      if (bundle) bundles.push(bundle);
    });
    if (bundles.length === 0) continue;
    const kind = bundles[bundles.length - 1]!.kind;
    for (const b of bundles) {
      if (b.kind !== kind) diagnostics.push(errorAt(b.dir, "template-kind", `major ${b.major} is a ${b.kind} template but the latest major is a ${kind} template; one template folder holds one kind`));
    }
    const specs: Spec[] = [];
    for (const [path, bytes] of files) {
      if (!isExampleSpec(path, templateDir)) continue;
      const { text, diagnostic } = decodeTextFile(path, bytes, LIMITS.otherFileBytes);
      if (diagnostic) diagnostics.push(diagnostic);
      if (text === undefined) continue;
      const parsed = parseSpec(path, text);
      diagnostics.push(...parsed.diagnostics);
      if (parsed.spec) specs.push(parsed.spec);
    }
    diagnostics.push(...specSymlinkWarnings(symlinks, templateDir));
    specs.sort((a, b) => a.file.localeCompare(b.file));
    templates.push({ name, kind, dir: templateDir, bundles, specs });
  }
  return { templates, diagnostics };
}

function checkName(name: string): string | undefined {
  if (name.length > LIMITS.nameLength) return `template name is ${name.length} characters; Proton's limit is ${LIMITS.nameLength}`;
  if (!NAME.test(name)) return `template name "${name}" may hold only letters, digits, "-" and "_", starting with a letter or digit`;
  return undefined;
}
