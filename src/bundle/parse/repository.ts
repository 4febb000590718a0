// parseRepository: from a repository snapshot (paths → bytes) to templates,
// bundles and specs, with every problem as a Diagnostic. Pure: the snapshot is
// read by an adapter (filesystem, git, GitHub) before this is called.
import { errorAt, type Diagnostic } from "../diagnostics.js";
import { decodeText, resolveInside, unsafePathReason, type Snapshot } from "../files.js";
import {
  findVersionFolders, isExampleSpec, isInside, LEGACY_REGISTRATION_FILE, PART_NAMES,
  REGISTRATION_FILE, SCHEMA_FILE, type VersionFolder,
} from "./layout.js";
import { formatBytes, LIMITS } from "./limits.js";
import type { Bundle, BundlePart, PartName, Spec, Template, TemplateKind } from "../model.js";
import { parseManifest } from "./manifest.js";
import { parseCompatibleEnvs, parseRegistration } from "./registration.js";
import { parseSchema } from "./schema.js";
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
  const folders = findVersionFolders(files.keys(), options.templates);
  for (const [link] of snapshot.symlinks ?? []) {
    if (folders.some((f) => isInside(link, f.dir))) {
      diagnostics.push(errorAt(link, "symlink", "symbolic links are not allowed in a bundle; commit the file itself"));
    }
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
    const bundles = versions.map((v) => loadBundle(v, files, diagnostics)).filter((b): b is Bundle => b !== undefined);
    if (bundles.length === 0) continue;
    const kind = bundles[bundles.length - 1]!.kind;
    for (const b of bundles) {
      if (b.kind !== kind) diagnostics.push(errorAt(b.dir, "template-kind", `v${b.major} is a ${b.kind} template but the latest major is a ${kind} template; one template folder holds one kind`));
    }
    const specs: Spec[] = [];
    for (const [path, bytes] of files) {
      if (!isExampleSpec(path, templateDir)) continue;
      const text = readText(path, bytes, LIMITS.otherFileBytes, diagnostics);
      if (text === undefined) continue;
      const parsed = parseSpec(path, text);
      diagnostics.push(...parsed.diagnostics);
      if (parsed.spec) specs.push(parsed.spec);
    }
    diagnostics.push(...specSymlinkWarnings(snapshot.symlinks ?? new Map(), templateDir));
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

function readText(path: string, bytes: Uint8Array, limit: number, diagnostics: Diagnostic[]): string | undefined {
  if (bytes.length > limit) {
    diagnostics.push(errorAt(path, "file-too-large", `file is ${formatBytes(bytes.length)}; the limit for this file is ${formatBytes(limit)}`));
    return undefined;
  }
  const { text, diagnostic } = decodeText(path, bytes);
  if (diagnostic) diagnostics.push(diagnostic);
  return text;
}

function loadBundle(folder: VersionFolder, files: Map<string, Uint8Array>, diagnostics: Diagnostic[]): Bundle | undefined {
  const { dir } = folder;
  const bundleFiles = new Map<string, Uint8Array>();
  let total = 0;
  for (const [path, bytes] of files) {
    if (!isInside(path, dir)) continue;
    bundleFiles.set(path, bytes);
    total += bytes.length;
  }
  if (total > LIMITS.bundleBytes) {
    diagnostics.push(errorAt(dir, "bundle-too-large", `bundle is ${formatBytes(total)}; Proton's limit is ${formatBytes(LIMITS.bundleBytes)}`));
    return undefined;
  }
  const text = new Map<string, string>();
  for (const [path, bytes] of bundleFiles) {
    const isManifestOrSchema = path.endsWith("/manifest.yaml") || path === `${dir}/${SCHEMA_FILE}`;
    const t = readText(path, bytes, isManifestOrSchema ? LIMITS.manifestBytes : LIMITS.otherFileBytes, diagnostics);
    if (t !== undefined) text.set(path, t);
  }

  const partDirs = PART_NAMES.filter((p) => [...bundleFiles.keys()].some((f) => isInside(f, `${dir}/${p}`)));
  const hasRegistration = bundleFiles.has(`${dir}/${REGISTRATION_FILE}`) || bundleFiles.has(`${dir}/${LEGACY_REGISTRATION_FILE}`);
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
  const schemaText = text.get(schemaPath);
  let schema: Bundle["schema"];
  if (schemaText === undefined) {
    if (!bundleFiles.has(schemaPath)) diagnostics.push(errorAt(schemaPath, "schema-missing", "every bundle needs schema/schema.yaml"));
  } else {
    const parsed = parseSchema(schemaPath, schemaText);
    diagnostics.push(...parsed.diagnostics);
    schema = parsed.schema;
  }

  const parts: BundlePart[] = [];
  for (const part of partDirs) {
    const loaded = loadPart(part, `${dir}/${part}`, bundleFiles, text, diagnostics);
    if (loaded) parts.push(loaded);
  }
  const templateFiles = parts.reduce((n, p) => n + p.files.length, 0);
  if (templateFiles > LIMITS.templateFilesPerBundle) {
    diagnostics.push(errorAt(dir, "too-many-template-files", `bundle has ${templateFiles} template files; Proton's limit is ${LIMITS.templateFilesPerBundle}`));
  }

  const bundle: Bundle = {
    template: folder.template, kind, major: folder.major, dir, files: bundleFiles, parts,
    compatibleEnvironments: [], supportedComponentSources: [],
  };
  if (schema) bundle.schema = schema;
  if (kind === "service") loadRegistration(bundle, text, diagnostics);
  return bundle;
}

function loadPart(
  name: PartName,
  partDir: string,
  bundleFiles: Map<string, Uint8Array>,
  text: Map<string, string>,
  diagnostics: Diagnostic[],
): BundlePart | undefined {
  const manifest = `${partDir}/manifest.yaml`;
  const manifestText = text.get(manifest);
  if (manifestText === undefined) {
    if (!bundleFiles.has(manifest)) diagnostics.push(errorAt(manifest, "manifest-missing", `${name}/ needs a manifest.yaml naming its template files`));
    return undefined;
  }
  const parsed = parseManifest(manifest, manifestText);
  diagnostics.push(...parsed.diagnostics);
  const selected: string[] = [];
  for (const entry of parsed.templates) {
    if (entry.renderingEngine === "codebuild") continue;
    const at = entry.line !== undefined ? { line: entry.line } : {};
    if (entry.file === "*") {
      const tf = [...bundleFiles.keys()].filter((f) => f.startsWith(`${partDir}/`) && !f.slice(partDir.length + 1).includes("/") && f.endsWith(".tf")).sort();
      if (tf.length === 0) diagnostics.push(errorAt(manifest, "template-file-missing", `\`file: "*"\` selects every *.tf file in ${name}/, but there is none`, at));
      selected.push(...tf);
      continue;
    }
    const path = resolveInside(partDir, entry.file);
    if (!path) {
      diagnostics.push(errorAt(manifest, "path-unsafe", `template file "${entry.file}" is outside ${name}/`, at));
    } else if (!bundleFiles.has(path)) {
      diagnostics.push(errorAt(manifest, "template-file-missing", `template file "${entry.file}" does not exist in ${name}/`, at));
    } else selected.push(path);
  }
  if (parsed.templates.some((t) => t.renderingEngine === "jinja" && t.templateLanguage === "cloudformation") &&
      parsed.templates.filter((t) => t.renderingEngine === "jinja").length > 1) {
    diagnostics.push(errorAt(manifest, "manifest-invalid", "a CloudFormation part has exactly one template file", { line: 1 }));
  }
  const part: BundlePart = { name, dir: partDir, manifest, templates: parsed.templates, files: [...new Set(selected)] };
  if (parsed.codebuild) part.codebuild = parsed.codebuild;
  return part;
}

function loadRegistration(bundle: Bundle, text: Map<string, string>, diagnostics: Diagnostic[]): void {
  const yamlPath = `${bundle.dir}/${REGISTRATION_FILE}`;
  const legacyPath = `${bundle.dir}/${LEGACY_REGISTRATION_FILE}`;
  const parsed = text.has(yamlPath)
    ? parseRegistration(yamlPath, text.get(yamlPath)!)
    : text.has(legacyPath)
      ? parseCompatibleEnvs(legacyPath, text.get(legacyPath)!)
      : undefined;
  if (!parsed) {
    if (!bundle.files.has(yamlPath) && !bundle.files.has(legacyPath)) {
      diagnostics.push(errorAt(yamlPath, "registration-missing", "a service template needs .template-registration.yaml listing its compatible environment templates"));
    }
    return;
  }
  diagnostics.push(...parsed.diagnostics);
  bundle.compatibleEnvironments = parsed.compatibleEnvironments;
  bundle.supportedComponentSources = parsed.supportedComponentSources;
}
