// One major version folder → a Bundle, every problem a Diagnostic. Proton's
// per-file limits and the text-only rule hold for the files a bundle is read
// from (schema, manifests, registration, the template files the manifests
// list); any other file is carried as bytes, counted only in the bundle's size.
import { didYouMean } from "../check/suggest-name.js";
import { errorAt, warningAt, type Diagnostic } from "../diagnostics.js";
import { decodeTextFile, resolveInside, type Snapshot } from "../files.js";
import type { Bundle, BundlePart, PartName, TemplateKind } from "../model.js";
import { isInside, LEGACY_REGISTRATION_FILE, PART_NAMES, REGISTRATION_FILE, SCHEMA_FILE, type VersionFolder } from "./layout.js";
import { formatBytes, LIMITS } from "./limits.js";
import { parseManifest } from "./manifest.js";
import { parseCompatibleEnvs, parseRegistration } from "./registration.js";
import { parseSchema } from "./schema.js";

/** The folder's entries as the bundle reads them: each read once, each problem reported at its path. */
interface FolderReader {
  files: Map<string, Uint8Array>;
  /** Every entry: files, links and what is neither. */
  paths: string[];
  has(path: string): boolean;
  /** Links the bundle tried to read (each already an error). */
  linksRead: Set<string>;
  isLink(path: string): boolean;
  /** The text of a file the bundle is read from; undefined when it is absent (nothing reported) or unreadable (reported). */
  text(path: string, limit: number): string | undefined;
}

export function parseBundleFolder(tree: Snapshot, folder: VersionFolder, diagnostics: Diagnostic[]): Bundle | undefined {
  const { dir } = folder;
  const inFolder = <T>(map: ReadonlyMap<string, T> | undefined) => new Map([...(map ?? [])].filter(([path]) => isInside(path, dir)));
  const files = inFolder(tree.files);
  const total = [...files.values()].reduce((n, bytes) => n + bytes.length, 0);
  if (total > LIMITS.bundleBytes) {
    diagnostics.push(errorAt(dir, "bundle-too-large", `bundle is ${formatBytes(total)}; Proton's limit is ${formatBytes(LIMITS.bundleBytes)}`));
    return undefined;
  }
  const links = inFolder(tree.symlinks);
  const read = folderReader(files, links, inFolder(tree.nonRegular), diagnostics);
  const partDirs = PART_NAMES.filter((p) => read.paths.some((f) => isInside(f, `${dir}/${p}`)));
  const hasRegistration = read.has(`${dir}/${REGISTRATION_FILE}`) || read.has(`${dir}/${LEGACY_REGISTRATION_FILE}`);
  const kind: TemplateKind | undefined =
    partDirs.includes("instance_infrastructure") || hasRegistration ? "service" : partDirs.includes("infrastructure") ? "environment" : undefined;
  if (!kind) {
    diagnostics.push(errorAt(dir, "bundle-parts-missing", "a bundle needs infrastructure/ (environment template) or instance_infrastructure/ (service template)"));
    return undefined;
  }
  if (kind === "service" && partDirs.includes("infrastructure")) {
    diagnostics.push(errorAt(`${dir}/infrastructure`, "bundle-parts-mixed", "a service template uses instance_infrastructure/ and pipeline_infrastructure/, not infrastructure/"));
  }
  if (kind === "environment" && partDirs.includes("pipeline_infrastructure")) {
    diagnostics.push(errorAt(`${dir}/pipeline_infrastructure`, "bundle-parts-mixed", "an environment template has no pipeline; pipeline_infrastructure/ belongs to service templates"));
  }

  const schemaPath = `${dir}/${SCHEMA_FILE}`;
  const schemaText = read.text(schemaPath, LIMITS.schemaBytes);
  let schema: Bundle["schema"];
  if (schemaText !== undefined) {
    const parsed = parseSchema(schemaPath, schemaText);
    diagnostics.push(...parsed.diagnostics);
    schema = parsed.schema;
  } else if (!read.has(schemaPath)) diagnostics.push(errorAt(schemaPath, "schema-missing", "every bundle needs schema/schema.yaml"));

  const parts: BundlePart[] = [];
  for (const part of partDirs) {
    const loaded = loadPart(part, `${dir}/${part}`, read, diagnostics);
    if (loaded) parts.push(loaded);
  }
  const templateFiles = parts.reduce((n, p) => n + p.files.length, 0);
  if (templateFiles > LIMITS.templateFilesPerBundle) {
    diagnostics.push(errorAt(dir, "too-many-template-files", `bundle has ${templateFiles} template files; Proton's limit is ${LIMITS.templateFilesPerBundle}`));
  }

  const bundle: Bundle = {
    template: folder.template, kind, major: folder.major, dir, files, parts,
    compatibleEnvironments: [], supportedComponentSources: [],
  };
  if (schema) bundle.schema = schema;
  if (kind === "service") loadRegistration(bundle, read, diagnostics);
  // A link nothing reads is left out of the bundle: a warning, as the bundle is complete without it.
  for (const [link, target] of links) {
    if (!read.linksRead.has(link)) diagnostics.push(warningAt(link, "symlink", `symbolic link to ${target}: links are never followed, so it is not part of the bundle`));
  }
  return bundle;
}

function folderReader(
  files: Map<string, Uint8Array>,
  links: ReadonlyMap<string, string>,
  nonRegular: ReadonlyMap<string, string>,
  diagnostics: Diagnostic[],
): FolderReader {
  const isFolder = (path: string) => [...files.keys()].some((f) => f.startsWith(`${path}/`));
  const linksRead = new Set<string>();
  const texts = new Map<string, string | undefined>();
  const readText = (path: string, limit: number): string | undefined => {
    const bytes = files.get(path);
    if (bytes) {
      const { text, diagnostic } = decodeTextFile(path, bytes, limit);
      if (diagnostic) diagnostics.push(diagnostic);
      return text;
    }
    const target = links.get(path);
    if (target !== undefined) {
      linksRead.add(path);
      diagnostics.push(errorAt(path, "symlink", `symbolic link to ${target}: links are never followed, and the bundle reads this file: commit the file itself`));
    } else {
      const kind = nonRegular.get(path) ?? (isFolder(path) ? "a folder" : undefined);
      if (kind) diagnostics.push(errorAt(path, "not-regular-file", `${kind}, not a regular file: the bundle reads this file, so it must be one`));
    }
    return undefined;
  };
  return {
    files,
    paths: [...files.keys(), ...links.keys(), ...nonRegular.keys()],
    linksRead,
    isLink: (path) => links.has(path),
    has: (path) => files.has(path) || links.has(path) || nonRegular.has(path) || isFolder(path),
    // A file two manifest entries name is still one problem.
    text: (path, limit) => {
      if (!texts.has(path)) texts.set(path, readText(path, limit));
      return texts.get(path);
    },
  };
}

function loadPart(name: PartName, partDir: string, read: FolderReader, diagnostics: Diagnostic[]): BundlePart | undefined {
  const manifest = `${partDir}/manifest.yaml`;
  const manifestText = read.text(manifest, LIMITS.manifestBytes);
  if (manifestText === undefined) {
    if (!read.has(manifest)) diagnostics.push(errorAt(manifest, "manifest-missing", `${name}/ needs a manifest.yaml naming its template files`));
    return undefined;
  }
  const parsed = parseManifest(manifest, manifestText);
  diagnostics.push(...parsed.diagnostics);
  const selected: string[] = [];
  const select = (path: string) => {
    // Listed files are rendered, so they are text within Proton's limit; the text itself is read again by the renderer.
    if (read.text(path, LIMITS.otherFileBytes) !== undefined || read.files.has(path)) selected.push(path);
  };
  for (const entry of parsed.templates) {
    if (entry.renderingEngine === "codebuild") continue;
    const at = entry.line !== undefined ? { line: entry.line } : {};
    if (entry.file === "*") {
      const inPart = (f: string) => f.startsWith(`${partDir}/`) && !f.slice(partDir.length + 1).includes("/") && f.endsWith(".tf");
      // A link among them is skipped, not read (it gets the "not part of the bundle" warning): only a link a manifest names is an error.
      const tf = read.paths.filter((f) => inPart(f) && !read.isLink(f)).sort();
      if (tf.length === 0) diagnostics.push(errorAt(manifest, "template-file-missing", `\`file: "*"\` selects every *.tf file in ${name}/, but there is none`, at));
      tf.forEach(select);
      continue;
    }
    const path = resolveInside(partDir, entry.file);
    if (!path) {
      diagnostics.push(errorAt(manifest, "path-unsafe", `template file "${entry.file}" is outside ${name}/`, at));
    } else if (!read.has(path)) {
      diagnostics.push(errorAt(manifest, "template-file-missing", `template file "${entry.file}" does not exist in ${name}/`, at));
    } else select(path);
  }
  if (parsed.templates.some((t) => t.renderingEngine === "jinja" && t.templateLanguage === "cloudformation") &&
      parsed.templates.filter((t) => t.renderingEngine === "jinja").length > 1) {
    diagnostics.push(errorAt(manifest, "manifest-invalid", "a CloudFormation part has exactly one template file", { line: 1 }));
  }
  const part: BundlePart = { name, dir: partDir, manifest, templates: parsed.templates, files: [...new Set(selected)] };
  if (parsed.codebuild) part.codebuild = parsed.codebuild;
  return part;
}

/** Names a registration file goes by when mistyped, to say which one was meant. */
const REGISTRATION_FILES = [REGISTRATION_FILE, LEGACY_REGISTRATION_FILE];

function loadRegistration(bundle: Bundle, read: FolderReader, diagnostics: Diagnostic[]): void {
  const yamlPath = `${bundle.dir}/${REGISTRATION_FILE}`;
  const legacyPath = `${bundle.dir}/${LEGACY_REGISTRATION_FILE}`;
  const source = read.has(yamlPath) ? yamlPath : read.has(legacyPath) ? legacyPath : undefined;
  if (source === undefined) {
    diagnostics.push(misspeltRegistration(bundle.dir, read)
      ?? errorAt(yamlPath, "registration-missing", "a service template needs .template-registration.yaml listing its compatible environment templates"));
    return;
  }
  const text = read.text(source, LIMITS.otherFileBytes);
  if (text === undefined) return;
  const parsed = source === yamlPath ? parseRegistration(source, text) : parseCompatibleEnvs(source, text);
  diagnostics.push(...parsed.diagnostics);
  bundle.compatibleEnvironments = parsed.compatibleEnvironments;
  bundle.supportedComponentSources = parsed.supportedComponentSources;
}

/** A file at the bundle's top whose name is close to a registration file's: the error names both. */
function misspeltRegistration(dir: string, read: FolderReader): Diagnostic | undefined {
  for (const path of read.files.keys()) {
    const name = path.slice(dir.length + 1);
    if (name.includes("/")) continue;
    const hint = didYouMean(name, REGISTRATION_FILES);
    if (hint) {
      return errorAt(path, "registration-missing", `not read as a registration file${hint}; a service template needs ${REGISTRATION_FILE} (or the legacy ${LEGACY_REGISTRATION_FILE}) listing its compatible environment templates`);
    }
  }
  return undefined;
}
