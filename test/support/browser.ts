// Browser tests' shared parts: Debian's chromium, the issue's screen size,
// axe-core's serious findings, and screenshots kept as artifacts (not committed).
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ROOT } from "./cli.js";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = join(ROOT, "test-results/screenshots");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
/** The size for screenshots; CSP bypassed only so that the test can inject axe-core. */
export const VIEW = { viewport: { width: 1280, height: 800 }, bypassCSP: true };

/** axe-core's serious and critical findings on the page, as "rule: target" lines. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run()).violations);
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
