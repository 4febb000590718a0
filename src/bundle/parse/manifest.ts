// manifest.yaml: which files of a part folder are templates and how they render.
import { errorAt, warningAt, type Diagnostic } from "../diagnostics.js";
import type { CodeBuildSettings, ManifestTemplate, RenderingEngine, TemplateLanguage } from "../model.js";
import { isRecord, parseYaml } from "./yaml.js";

const ENGINES: readonly RenderingEngine[] = ["jinja", "hcl", "codebuild"];
const LANGUAGES: readonly TemplateLanguage[] = ["cloudformation", "terraform"];

export interface ParsedManifest {
  templates: ManifestTemplate[];
  codebuild?: CodeBuildSettings;
  diagnostics: Diagnostic[];
}

export function parseManifest(file: string, text: string): ParsedManifest {
  const yaml = parseYaml(file, text);
  const diagnostics = [...yaml.diagnostics];
  const templates: ManifestTemplate[] = [];
  const result = (codebuild?: CodeBuildSettings): ParsedManifest =>
    codebuild ? { templates, codebuild, diagnostics } : { templates, diagnostics };
  if (yaml.value === undefined) return result();

  const fail = (message: string, path: (string | number)[]) =>
    diagnostics.push(errorAt(file, "manifest-invalid", message, yaml.positionOf(path)));

  const root = yaml.value;
  if (!isRecord(root) || !isRecord(root.infrastructure)) {
    fail("manifest.yaml must have an `infrastructure:` mapping with a `templates:` list", []);
    return result();
  }
  const list = root.infrastructure.templates;
  if (!Array.isArray(list) || list.length === 0) {
    fail("`infrastructure.templates` must be a non-empty list", ["infrastructure"]);
    return result();
  }

  let codebuild: CodeBuildSettings | undefined;
  list.forEach((entry: unknown, i) => {
    const at = ["infrastructure", "templates", i];
    if (!isRecord(entry)) return fail("each template entry must be a mapping", at);
    // The earliest Proton manifests said `engine:`; both mean the same.
    const engine = entry.rendering_engine ?? entry.engine;
    if (typeof engine !== "string" || !ENGINES.includes(engine as RenderingEngine)) {
      return fail(`rendering_engine must be one of ${ENGINES.join(", ")} (got ${JSON.stringify(engine ?? null)})`, [...at, entry.engine !== undefined ? "engine" : "rendering_engine"]);
    }
    const language = entry.template_language;
    if (language !== undefined && !LANGUAGES.includes(language as TemplateLanguage)) {
      return fail(`template_language must be one of ${LANGUAGES.join(", ")} (got ${JSON.stringify(language)})`, [...at, "template_language"]);
    }
    const line = yaml.positionOf(at).line;
    if (engine === "codebuild") {
      codebuild = parseCodeBuild(entry.settings, [...at, "settings"], fail);
      templates.push({ file: "", renderingEngine: "codebuild", ...(line ? { line } : {}) });
      return;
    }
    if (typeof entry.file !== "string" || entry.file.length === 0) {
      return fail("each template entry needs a `file:` (a file name, or \"*\" for all *.tf files)", at);
    }
    if (entry.file === "*" && engine !== "hcl") {
      return fail('`file: "*"` selects Terraform files and needs `rendering_engine: hcl`', [...at, "file"]);
    }
    const inferred: TemplateLanguage = engine === "hcl" ? "terraform" : "cloudformation";
    if (language === undefined) {
      diagnostics.push(warningAt(file, "manifest-language-missing", `template_language is missing; assuming ${inferred}`, yaml.positionOf(at)));
    }
    templates.push({
      file: entry.file,
      renderingEngine: engine as RenderingEngine,
      templateLanguage: (language as TemplateLanguage | undefined) ?? inferred,
      ...(line ? { line } : {}),
    });
  });
  return result(codebuild);
}

function parseCodeBuild(
  settings: unknown,
  at: (string | number)[],
  fail: (message: string, path: (string | number)[]) => void,
): CodeBuildSettings | undefined {
  if (!isRecord(settings)) {
    fail("rendering_engine codebuild needs a `settings:` mapping with `provision:` commands", at);
    return undefined;
  }
  const commands = (key: "provision" | "deprovision"): string[] => {
    const value = settings[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((c) => typeof c !== "string")) {
      fail(`settings.${key} must be a list of shell commands`, [...at, key]);
      return [];
    }
    return value as string[];
  };
  const provision = commands("provision");
  if (provision.length === 0 && settings.provision === undefined) fail("settings.provision is required for codebuild", at);
  const variables: Record<string, string> = {};
  const env = settings.env;
  if (isRecord(env) && isRecord(env.variables)) {
    for (const [k, v] of Object.entries(env.variables)) variables[k] = String(v);
  }
  const runtimes: Record<string, string> = {};
  if (isRecord(settings.runtimes)) for (const [k, v] of Object.entries(settings.runtimes)) runtimes[k] = String(v);
  return {
    ...(typeof settings.image === "string" ? { image: settings.image } : {}),
    ...(Object.keys(runtimes).length ? { runtimes } : {}),
    variables,
    provision,
    deprovision: commands("deprovision"),
  };
}
