// The web console in a real browser (playwright-core driving Debian's chromium),
// served by a real `baryon ui` process on a registry filled by real commands:
// publish, apply, a new minor deployed to the test stage only.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { baryon, ROOT } from "../support/cli.js";
import { DATABASE_URL } from "../support/registry.js";
import { gitRepo } from "../support/git-repo.js";
import { accessibilityProblems, CHROMIUM, shoot, VIEW } from "../support/browser.js";

/** A template repository of `owner` laid out like this one, its registry in `dataDir`. */
function fleetRepo(owner: string) {
  const repo = gitRepo();
  for (const dir of ["examples/templates", "examples/inventory", ".github"]) cpSync(join(ROOT, dir), join(repo.dir, dir), { recursive: true });
  repo.git("remote", "add", "origin", `https://github.com/${owner}/templates.git`);
  repo.commit("Templates and inventory");
  return repo;
}

/** `baryon ui` running, and the sign-in link it printed. */
async function startUi(dir: string, env: Record<string, string>): Promise<{ child: ChildProcess; loginUrl: string }> {
  const child = spawn(process.execPath, [join(ROOT, "bin/baryon.js"), "ui", "--dir", dir], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const loginUrl = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const link = /https?:\/\/127\.0\.0\.1:\d+\/login\?token=\S+/.exec(out)?.[0];
      if (link) resolve(link);
    });
    child.once("exit", (code) => reject(new Error(`baryon ui exited ${code} before printing its link: ${err}`)));
  });
  return { child, loginUrl };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}

async function sql(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe("the web console (baryon ui)", () => {
  // Postgres, in a schema of its own: the console reads while other commands write (PGlite is one process's).
  const schema = `ui_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const env = { DATABASE_URL: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
  let browser: Browser;
  let ui: { child: ChildProcess; loginUrl: string };
  let signedIn: BrowserContext;
  let acme: ReturnType<typeof fleetRepo>;

  beforeAll(async () => {
    await sql(`CREATE SCHEMA ${schema}`);
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`);
    // acme publishes 1.0 of everything, applies its inventory, then publishes fargate-env 1.1 and deploys it to test only.
    acme = fleetRepo("acme");
    const repo = acme;
    expect((await baryon(["publish", repo.dir], { env })).code).toBe(0);
    expect((await baryon(["apply", repo.dir], { env })).code).toBe(0);
    const template = join(repo.dir, "examples/templates/fargate-env/v1/infrastructure/cloudformation.yaml");
    writeFileSync(template, `${readFileSync(template, "utf8")}\n# tagged\n`);
    repo.commit("fargate-env: a comment");
    expect((await baryon(["publish", repo.dir], { env })).stdout).toContain("fargate-env 1.1");
    expect((await baryon(["deploy", "test", "--version", "1.1", "--dir", repo.dir], { env })).code).toBe(0);
    ui = await startUi(repo.dir, env);
    browser = await chromium.launch({ executablePath: CHROMIUM });
    signedIn = await browser.newContext(VIEW);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (ui) expect(await stop(ui.child)).toBe(0);
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it("shows nothing without signing in, and its sign-in link works once", async () => {
    const stranger = await browser.newPage(VIEW);
    const origin = new URL(ui.loginUrl).origin;
    const refused = await stranger.goto(`${origin}/`);
    expect(refused!.status()).toBe(401);
    expect(await stranger.textContent("body")).not.toContain("fargate-env");
    expect((await stranger.goto(`${origin}/templates/fargate-env`))!.status()).toBe(401);
    await shoot(stranger, "sign-in");
    expect(await accessibilityProblems(stranger)).toEqual([]);
    expect(await (await fetch(`${origin}/health`)).text()).toBe("ok\n");

    // A link preview's HEAD does not use the link up.
    expect((await fetch(ui.loginUrl, { method: "HEAD" })).status).toBe(405);
    const page = await signedIn.newPage();
    const landed = await page.goto(ui.loginUrl);
    expect(landed!.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/acme/");
    // Used once: the same link signs nobody else in.
    expect((await stranger.goto(ui.loginUrl))!.status()).toBe(401);
    expect((await stranger.goto(`${origin}/`))!.status()).toBe(401);
    // A forged cookie is refused too.
    await stranger.context().addCookies([{ name: "baryon_session", value: `acme.${Date.now() + 60_000}.forged`, url: origin }]);
    expect((await stranger.goto(`${origin}/`))!.status()).toBe(401);
  });

  it("shows each template's versions in use by stage, and every resource with the version it runs", async () => {
    const page = await signedIn.newPage();
    await page.goto(new URL("/acme/", ui.loginUrl).href);
    expect(await page.textContent("h1")).toBe("Fleet");
    const env = page.locator("section", { has: page.locator("h2", { hasText: "fargate-env" }) });
    await expect.poll(() => env.locator("h2").textContent()).toContain("recommended 1.1");
    const rows = await env.locator("tbody tr").allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, " ").trim())).toEqual(["1.1 1 test 1", "1.0 1 prod 1"]);
    const service = page.locator("section", { has: page.locator("h2", { hasText: "load-balanced-fargate-svc" }) });
    expect((await service.locator("tbody tr").allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim())).toEqual(["1.0 3 no stage 1 prod 1 test 1"]);
    const resources = page.getByRole("table", { name: "Resources", exact: true }).locator("tbody tr");
    expect(await resources.count()).toBe(5);
    const testRow = resources.filter({ has: page.getByRole("rowheader", { name: "test", exact: true }) });
    expect((await testRow.innerText()).replace(/\s+/g, " ")).toMatch(/^test environment test fargate-env 1\.1 \d+ outputs - #\d+ succeeded \(1\.1\)$/);
    await shoot(page, "dashboard");
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole("link", { name: "fargate-env", exact: true }).click();
    expect(new URL(page.url()).pathname).toBe("/acme/templates/fargate-env");
    const versions = (await page.locator("tbody tr").allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim());
    expect(versions).toHaveLength(2);
    expect(versions[0]).toMatch(/^1\.1recommended published acme\/templates [0-9a-f]{7} \d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(versions[1]).toMatch(/^1\.0 published acme\/templates/);
    await shoot(page, "template");
    expect(await accessibilityProblems(page)).toEqual([]);
    expect((await page.goto(new URL("/acme/templates/nope", ui.loginUrl).href))!.status()).toBe(404);
    expect((await page.goto(new URL("/acme/templates/%E0%A4%A", ui.loginUrl).href))!.status()).toBe(404);
  });

  it("filters by stage and template with a plain form, each filter a URL of its own", async () => {
    const page = await signedIn.newPage();
    await page.goto(new URL("/acme/", ui.loginUrl).href);
    await page.getByLabel("Stage", { exact: true }).selectOption("prod");
    await Promise.all([page.waitForURL(/stage=prod/), page.getByRole("button", { name: "Show" }).click()]);
    const rowsOf = async (template: string) => (await page.locator("section", { has: page.locator("h2", { hasText: template }) }).locator("tbody tr").allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim());
    expect(await rowsOf("fargate-env")).toEqual(["1.0 1 prod 1"]);
    expect(await page.getByRole("table", { name: "Resources", exact: true }).locator("tbody th").allInnerTexts()).toEqual(["frontend/frontend-prod", "prod"]);
    await page.goto(new URL("/acme/?template=load-balanced-fargate-svc", ui.loginUrl).href);
    expect(await page.locator("section h2").allInnerTexts()).toEqual([expect.stringContaining("load-balanced-fargate-svc")]);
    expect(await page.getByRole("table", { name: "Resources", exact: true }).locator("tbody tr").count()).toBe(3);
    await shoot(page, "dashboard-filtered");
    expect((await page.goto(new URL("/acme/?from=1e400", ui.loginUrl).href))!.status()).toBe(200);
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it("shows a rollout waiting at its gate, and follows it live to the end when the gate opens", async () => {
    const page = await signedIn.newPage();
    await page.goto(new URL("/acme/", ui.loginUrl).href);
    await page.locator("section", { has: page.locator("h2", { hasText: "fargate-env" }) }).getByRole("link", { name: /^1\.1, waiting$/ }).click();
    expect(new URL(page.url()).pathname).toMatch(/^\/acme\/rollouts\/[\w-]+$/);
    const stages = async () => (await page.getByRole("table", { name: "Stages" }).locator("tbody tr").allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim());
    expect(await page.locator("#status").innerText()).toBe("waiting");
    expect((await stages()).find((r) => r.startsWith("prod"))).toMatch(/^prod 0\/1 0 0 1 .* waiting for \/rollout prod$/);
    await shoot(page, "rollout-waiting");
    expect(await accessibilityProblems(page)).toEqual([]);

    // Another process opens the gate; the page, left open, follows the rollout to its end by itself.
    const approved = await baryon(["rollout", "approve", "prod", "fargate-env", "--dir", acme.dir], { env });
    expect(approved.code).toBe(0);
    await expect.poll(() => page.locator("#status").innerText(), { timeout: 30_000, interval: 500 }).toBe("succeeded");
    expect((await stages()).find((r) => r.startsWith("prod"))).toMatch(/^prod 1\/1 0 0 0 .* approved by @/);
    expect(await page.getByRole("table", { name: "Gates opened" }).locator("tbody th").allInnerTexts()).toEqual(["prod"]);

    // Its prod deployment's page: what, why, and the log.
    await page.getByRole("table", { name: "Resources" }).locator("tr", { has: page.getByRole("rowheader", { name: "prod", exact: true }) }).getByRole("link").click();
    expect(new URL(page.url()).pathname).toMatch(/^\/acme\/deployments\/\d+$/);
    expect(await page.locator("#status").innerText()).toBe("succeeded");
    expect(await page.locator("main").innerText()).toMatch(/deploy fargate-env 1\.1/);
    expect(await page.locator("pre").innerText()).toContain("fargate-env 1.1");
    await shoot(page, "deployment");
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it("offers a template version as a form from its schema, refuses a bad value with the schema's message, and previews a good one", async () => {
    const page = await signedIn.newPage();
    await page.goto(new URL("/acme/catalog", ui.loginUrl).href);
    await page.getByRole("link", { name: "fargate-env", exact: true }).click();
    expect(new URL(page.url()).pathname).toBe("/acme/catalog/fargate-env/1.1");
    const inputs = page.getByRole("group", { name: "Inputs" });
    expect(await inputs.locator("label").allInnerTexts()).toEqual(["vpc_cidr", "subnet_one_cidr", "subnet_two_cidr", "container_insights"]);
    expect(await inputs.locator(".hint").first().innerText()).toBe('The CIDR range for your VPC; default "10.0.0.0/16"');
    expect(await page.getByLabel("container_insights").isChecked()).toBe(false);
    await shoot(page, "catalog-form");
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByLabel("Environment name").fill("staging");
    await page.getByLabel("Stage", { exact: true }).fill("staging");
    await page.getByLabel("vpc_cidr", { exact: true }).fill("10.9.0.0/15");
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Preview" }).click()]);
    expect(refused.status()).toBe(422);
    await page.waitForLoadState();
    expect(await page.getByRole("alert").innerText()).toBe("The request has 1 problem; each is shown at its field.");
    const vpc = page.getByLabel("vpc_cidr", { exact: true });
    expect(await vpc.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#e-f-inputs-vpc_cidr").innerText()).toBe('vpc_cidr must match pattern "([0-9]{1,3}\\.){3}[0-9]{1,3}($|/(16|24))"');
    expect(await page.getByLabel("Environment name").inputValue()).toBe("staging");
    expect(await page.locator("#spec-file").count()).toBe(0);
    await shoot(page, "catalog-refused");
    expect(await accessibilityProblems(page)).toEqual([]);

    await vpc.fill("10.9.0.0/16");
    await page.getByLabel("container_insights").check();
    const [answered] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Preview" }).click()]);
    expect(answered.status()).toBe(200);
    await page.waitForLoadState();
    expect(await page.locator("#spec-file").innerText()).toBe([
      "# Requested in Baryon's catalog: fargate-env 1.x", "proton: EnvironmentSpec", "template: fargate-env@1", "stage: staging", "spec:",
      "  vpc_cidr: 10.9.0.0/16", "  container_insights: true", "",
    ].join("\n"));
    const rendered = page.locator("details", { hasText: "environment/infrastructure/cloudformation.yaml" });
    await rendered.locator("summary").click();
    expect(await rendered.locator("pre").innerText()).toMatch(/VPC:\n +CIDR: '10\.9\.0\.0\/16'\n/);
    await shoot(page, "catalog-preview");
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it("asks for a service with its first instance and its pipeline's inputs, each group checked against its own type", async () => {
    const page = await signedIn.newPage();
    await page.goto(new URL("/acme/catalog/load-balanced-fargate-svc/1.0", ui.loginUrl).href);
    expect(await page.getByRole("group", { name: "Pipeline inputs" }).locator("label").allInnerTexts()).toEqual(["Dockerfile", "Unit test command"]);
    await page.getByLabel("Service name").fill("orders");
    await page.getByLabel("Instance name").fill("orders-test");
    await page.getByLabel("Environment", { exact: true }).fill("test");
    await page.getByLabel("Container port").fill("8080");
    await page.getByLabel("Task size").selectOption("medium");
    await page.getByLabel("Dockerfile").fill("");
    await page.getByLabel("Health check path").fill("health");
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Preview" }).click()]);
    expect(refused.status()).toBe(422);
    await page.waitForLoadState();
    expect(await page.locator("#e-f-inputs-health_check_path").innerText()).toBe('health_check_path must match pattern "^/"');
    await page.getByLabel("Health check path").fill("/health");
    await page.getByLabel("Dockerfile").fill("build/Dockerfile");
    const [answered] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Preview" }).click()]);
    expect(answered.status()).toBe(200);
    await page.waitForLoadState();
    expect(await page.locator("#spec-file").innerText()).toBe([
      "# Requested in Baryon's catalog: load-balanced-fargate-svc 1.x", "proton: ServiceSpec", "template: load-balanced-fargate-svc@1", "pipeline:",
      "  dockerfile: build/Dockerfile", "instances:", "  - name: orders-test", "    environment: test", "    spec:", "      port: 8080",
      "      task_size: medium", "      health_check_path: /health", "",
    ].join("\n"));
    expect(await page.locator("details summary").allInnerTexts()).toEqual([
      "orders-test/instance_infrastructure/cloudformation.yaml", "pipeline/pipeline_infrastructure/cloudformation.yaml",
    ]);
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it("checks the catalog form as it is typed, with the server's messages, and previews it without a click", async () => {
    const page = await signedIn.newPage();
    await page.goto(new URL("/acme/catalog/fargate-env/1.1", ui.loginUrl).href);
    await page.getByLabel("Environment name").fill("qa");
    await page.getByLabel("Stage", { exact: true }).fill("test");
    const vpc = page.getByLabel("vpc_cidr", { exact: true });
    await vpc.pressSequentially("10.9.0.0/15");
    const error = page.locator("#e-f-inputs-vpc_cidr");
    await expect.poll(() => error.count(), { timeout: 10_000 }).toBe(1);
    expect(await error.innerText()).toBe('vpc_cidr must match pattern "([0-9]{1,3}\\.){3}[0-9]{1,3}($|/(16|24))"');
    expect(await vpc.getAttribute("aria-invalid")).toBe("true");
    // What was being typed is left alone: the field keeps its value and the focus.
    expect(await vpc.inputValue()).toBe("10.9.0.0/15");
    expect(await vpc.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(new URL(page.url()).pathname).toBe("/acme/catalog/fargate-env/1.1");

    await vpc.press("Backspace");
    await vpc.pressSequentially("6");
    await expect.poll(() => page.locator("#spec-file").count(), { timeout: 10_000 }).toBe(1);
    expect(await error.count()).toBe(0);
    expect(await vpc.getAttribute("aria-invalid")).toBeNull();
    expect(await page.locator("#spec-file").innerText()).toContain("vpc_cidr: 10.9.0.0/16");
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it("refuses a catalog request without the session's CSRF token, or from another origin", async () => {
    const url = new URL("/acme/catalog/fargate-env/1.1", ui.loginUrl).href;
    const page = await signedIn.newPage();
    await page.goto(url);
    const csrf = await page.locator("input[name=csrf]").inputValue();
    const form = { name: "staging", stage: "staging", "inputs.vpc_cidr": "10.9.0.0/16" };
    expect((await signedIn.request.post(url, { form })).status()).toBe(403);
    expect((await signedIn.request.post(url, { form: { ...form, csrf: `${csrf}x` } })).status()).toBe(403);
    expect((await signedIn.request.post(url, { form: { ...form, csrf }, headers: { origin: "http://evil.example" } })).status()).toBe(403);
    expect((await signedIn.request.post(url, { form: { ...form, csrf } })).status()).toBe(200);
    // Without a session there is no form to post to at all; and nothing else takes a POST.
    const stranger = await browser.newContext();
    expect((await stranger.request.post(url, { form: { ...form, csrf } })).status()).toBe(401);
    expect((await signedIn.request.post(new URL("/acme/", ui.loginUrl).href, { form: { csrf } })).status()).toBe(405);
    await stranger.close();
  });

  it("shows another owner nothing of acme's, on the same registry", async () => {
    const other = fleetRepo("globex");
    const theirs = await startUi(other.dir, env);
    try {
      const page = await browser.newPage(VIEW);
      await page.goto(theirs.loginUrl);
      const body = await page.textContent("main");
      expect(body).toContain("Nothing is published yet");
      expect(body).not.toContain("fargate-env");
      expect(body).toContain("No resources yet");
      expect(new URL(page.url()).pathname).toBe("/globex/");
      // acme's pages, asked for by name with globex's session: as if there were no acme.
      for (const path of ["/acme/", "/acme/templates/fargate-env", "/acme/catalog/fargate-env/1.1"]) {
        const response = (await page.goto(new URL(path, theirs.loginUrl).href))!;
        expect(response.status()).toBe(404);
        expect(await page.textContent("main h1")).toBe("Not found");
        expect(await page.locator("main table, main form").count()).toBe(0);
      }
    } finally {
      expect(await stop(theirs.child)).toBe(0);
    }
  });
});
