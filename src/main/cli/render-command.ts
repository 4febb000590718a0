// `baryon render`: one Jinja file with an explicit context, or a whole bundle from a spec.
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import type { Outputs } from "../../bundle/render/context.js";
import { errorAt, hasErrors, type Diagnostic } from "../../bundle/diagnostics.js";
import { decodeText, decodeTextFile } from "../../bundle/files.js";
import { BUNDLE_HINT } from "../../bundle/parse/layout.js";
import { LIMITS } from "../../bundle/parse/limits.js";
import { parseRepository } from "../../bundle/parse/repository.js";
import { parseSpec } from "../../bundle/parse/spec.js";
import { renderBundle } from "../../bundle/render/render-bundle.js";
import { createRenderPool } from "../../jinja/pool.js";
import { validateBundle, validateSpec } from "../../bundle/check/validate.js";
import { isRecord, parseYaml } from "../../bundle/parse/yaml.js";
import { readBundleFolder } from "../../adapters/local/read-bundle-folder.js";
import { nonRegularKind } from "../../adapters/local/read-snapshot.js";
import { printDiagnostic, UsageError, type Out } from "./output.js";

export interface RenderCommandOptions {
  context?: string;
  spec?: string;
  instance?: string;
  name?: string;
  envOutputs?: string;
  instanceOutputs?: string;
  out?: string;
  /** `<name>@<major>` of a bundle folder whose path does not say it. */
  template?: string;
}

export async function runRender(target: string, options: RenderCommandOptions, out: Out, err: Out): Promise<number> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new UsageError(`${target}: no such file or directory`);
  if (info.isDirectory()) return renderVersionDir(target, options, out, err);
  // Reading a FIFO or a device could block or never end.
  if (!info.isFile()) throw new UsageError(`${target}: ${nonRegularKind(info) ?? "not a file"}, not a regular file or a folder`);
  return renderFile(target, options, out, err);
}

async function renderFile(file: string, options: RenderCommandOptions, out: Out, err: Out): Promise<number> {
  if (!options.context) throw new UsageError("rendering one file needs --context <context.json>");
  const context = await readData(options.context);
  // The checks validate makes on a template file: within Proton's limit, UTF-8 text without NUL bytes.
  const { text: source, diagnostic } = decodeTextFile(file, await readFile(file), LIMITS.otherFileBytes);
  if (source === undefined) {
    if (diagnostic) printDiagnostic(err, diagnostic);
    return 1;
  }
  const renderer = createRenderPool({ engine: "v8", size: 1 });
  try {
    const result = await renderer.render({ name: file, source, context });
    if (result.ok) {
      out.write(result.output);
      return 0;
    }
    const { line, column, message } = result.error;
    err.write(`${[file, line, line !== undefined ? column : undefined].filter((p) => p !== undefined).join(":")}: ${message}\n`);
    return 1;
  } finally {
    await renderer.close();
  }
}

async function renderVersionDir(dir: string, options: RenderCommandOptions, out: Out, err: Out): Promise<number> {
  if (!options.spec) throw new UsageError("rendering a bundle needs --spec <spec.yaml>");
  const folder = await readBundleFolder(dir, options.template);
  if (typeof folder === "string") throw new UsageError(folder);
  const toDisk = (d: Diagnostic): Diagnostic => ({ ...d, file: folder.toDisk(d.file) });

  const repo = parseRepository(folder.snapshot);
  const bundle = repo.templates[0]?.bundles[0];
  const specFile = relative(process.cwd(), resolve(options.spec));
  const specText = decodeText(specFile, await readFile(options.spec));
  const parsed = specText.text !== undefined ? parseSpec(specFile, specText.text) : { diagnostics: [specText.diagnostic!] };
  const diagnostics = [...repo.diagnostics.map(toDisk), ...parsed.diagnostics];
  if (!bundle) {
    if (!hasErrors(repo.diagnostics)) diagnostics.push(errorAt(folder.display, "bundle-missing", `no bundle here: expected ${BUNDLE_HINT}`));
  } else {
    diagnostics.push(...validateBundle(bundle).map(toDisk));
    if (parsed.spec) diagnostics.push(...validateSpec(parsed.spec, bundle));
  }
  if (!bundle || !parsed.spec || hasErrors(diagnostics)) {
    diagnostics.forEach((d) => printDiagnostic(err, d));
    return 1;
  }
  const renderer = createRenderPool({ engine: "v8" });
  try {
    const instances = parsed.spec.instances ?? [];
    const environmentOutputs = options.envOutputs ? await readOutputs(options.envOutputs, instances.map((i) => i.environment)) : undefined;
    const instanceOutputs = options.instanceOutputs ? await readOutputs(options.instanceOutputs, instances.map((i) => i.name)) : undefined;
    const result = await renderBundle(bundle, parsed.spec, renderer, {
      ...(options.name ? { name: options.name } : {}),
      ...(options.instance ? { instance: options.instance } : {}),
      ...(environmentOutputs ? { environmentOutputs } : {}),
      ...(instanceOutputs ? { instanceOutputs } : {}),
    });
    [...diagnostics, ...result.diagnostics.map(toDisk)].forEach((d) => printDiagnostic(err, d));
    if (hasErrors(result.diagnostics)) return 1;
    if (options.out) {
      const outDir = resolve(options.out);
      for (const f of result.files) {
        const path = resolve(outDir, f.path);
        if (!path.startsWith(`${outDir}/`)) throw new UsageError(`refusing to write ${f.path} outside ${options.out}`);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, f.content);
      }
      err.write(`wrote ${result.files.length} file(s) to ${options.out}\n`);
    } else if (result.files.length === 1) out.write(result.files[0]!.content);
    else for (const f of result.files) out.write(`# ==> ${f.path} <==\n${f.content}${f.content.endsWith("\n") ? "" : "\n"}\n`);
    return 0;
  } finally {
    await renderer.close();
  }
}

async function readData(file: string): Promise<unknown> {
  const parsed = parseYaml(file, await readFile(file, "utf8"));
  if (parsed.diagnostics.length) throw new UsageError(`${file}:${parsed.diagnostics[0]!.line ?? 1}: ${parsed.diagnostics[0]!.message}`);
  return parsed.value;
}

/** Either one mapping of outputs for every environment (or instance), or `{ <name>: { <output>: value } }`. */
async function readOutputs(file: string, names: string[]): Promise<Record<string, Outputs>> {
  const data = await readData(file);
  if (!isRecord(data)) throw new UsageError(`${file}: expected a mapping of output names to values`);
  const perEnvironment = Object.values(data).every(isRecord);
  const stringify = (o: Record<string, unknown>): Outputs => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
  if (perEnvironment) return Object.fromEntries(Object.entries(data).map(([env, o]) => [env, stringify(o as Record<string, unknown>)]));
  return Object.fromEntries(names.map((name) => [name, stringify(data)]));
}
