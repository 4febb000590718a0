// The web console on `baryon serve`, in a real browser (playwright-core driving
// Debian's chromium): signed into with the GitHub App's OAuth against the fake
// GitHub, owners from the user's installations, and a catalog request opened as
// a pull request on the inventory repository as the signed-in person. The
// registry is filled by real pushes delivered as webhooks (publish, deploy).
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET, startHarness, type Harness } from "../support/app-harness.js";
import { accessibilityProblems, CHROMIUM, shoot, VIEW } from "../support/browser.js";
import { deliver, pushDelivery } from "../support/fake-github/webhooks.js";
import { FLEET_CONFIG_YAML } from "../support/fleet.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { freePort } from "../support/free-port.js";

type Repo = ReturnType<Harness["fake"]["state"]["addRepo"]>;

const DEV = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
const BRANCH = "baryon/catalog/environment-staging";

describe("the web console (baryon serve, GitHub sign-in)", () => {
  let h: Harness;
  let browser: Browser;
  let acme: Repo;
  let app: string;
  const contexts: BrowserContext[] = [];

  /** A browser whose GitHub user is `login`, signed into the console through GitHub's OAuth; its page after landing. */
  async function signedIn(login: string, path = "/"): Promise<Page> {
    const context = await browser.newContext(VIEW);
    contexts.push(context);
    const page = await context.newPage();
    h.fake.state.signIn(login);
    await page.goto(`${app}${path}`);
    return page;
  }

  async function push(repo: Repo, files: Record<string, string>): Promise<void> {
    const after = h.fake.state.commit(repo, files, { branch: "main" });
    expect((await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after }, { secret: SECRET }))).status).toBe(200);
    await h.app.queue.idle();
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`);
    const port = await freePort();
    app = `http://127.0.0.1:${port}`;
    h = await startHarness({
      port,
      env: (fake) => ({ GITHUB_CLIENT_ID: fake.state.app.clientId, GITHUB_CLIENT_SECRET: fake.state.app.clientSecret, BARYON_PUBLIC_URL: app }),
    });
    h.fake.state.app.callbackUrl = `${app}/login/callback`;
    browser = await chromium.launch({ executablePath: CHROMIUM });
    // acme's templates, with its inventory beside them; globex has the same templates and nothing deployed.
    const templates = Object.fromEntries(Object.entries(CATALOG_FILES).filter(([p]) => p.startsWith("net/v1/")).map(([p, t]) => [`templates/${p}`, t]));
    acme = h.fake.state.addRepo({ owner: "acme", name: "templates" });
    await push(acme, { ".github/baryon.yml": FLEET_CONFIG_YAML, ...templates, "inventory/dev.yaml": DEV });
    await push(h.fake.state.addRepo({ owner: "globex", name: "templates" }), { ".github/baryon.yml": FLEET_CONFIG_YAML, ...templates });
    h.fake.state.addUser("alice", { orgs: ["acme"] });
    h.fake.state.setPermission(acme, "alice", "write");
    h.fake.state.addUser("bob", { orgs: ["acme"] }); // reads acme, may not write
    h.fake.state.addUser("olga", { orgs: ["acme", "globex"] });
    h.fake.state.addUser("gina", { orgs: ["globex"] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    try {
      h?.fake.assertNoUnexpected();
    } finally {
      await h?.close();
    }
  });

  it("signs in through GitHub, and shows the one owner the user belongs to", async () => {
    const page = await signedIn("alice", "/acme/templates/net");
    // Back where the sign-in started, with a session cookie the page's scripts cannot read.
    expect(new URL(page.url()).pathname).toBe("/acme/templates/net");
    expect(await page.textContent("main")).toContain("1.0");
    const [cookie] = (await page.context().cookies()).filter((c) => c.name === "baryon_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    expect(cookie!.value).not.toContain("ghu_"); // the GitHub token inside is sealed

    await page.goto(`${app}/`);
    expect(new URL(page.url()).pathname).toBe("/acme/");
    expect(await page.textContent("main")).toContain("dev");
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "serve-fleet");
  });

  it("answers nothing without a session but health and metrics, and refuses a sign-in it did not start", async () => {
    const plain = await fetch(`${app}/acme/`, { redirect: "manual" });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("location")).toBe("/login?back=%2Facme%2F");
    expect((await fetch(`${app}/health`)).status).toBe(200);
    expect((await fetch(`${app}/metrics`)).status).toBe(200);
    const forged = await fetch(`${app}/login/callback?code=x&state=y`, { redirect: "manual" });
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain("did not start here");
    // After signing in, no path sends the browser to another site.
    const away = await fetch(`${app}/login?back=//evil.example/`, { redirect: "manual" });
    expect(away.headers.get("location")).toMatch(new RegExp(`^${h.fake.url}/login/oauth/authorize\\?`));
  });

  it("shows a user only the owners whose installations they belong to", async () => {
    const olga = await signedIn("olga");
    expect(new URL(olga.url()).pathname).toBe("/");
    expect(await olga.locator("main li").allTextContents()).toEqual(["acme", "globex"]);
    expect(await accessibilityProblems(olga)).toEqual([]);
    await shoot(olga, "serve-owners");

    const gina = await signedIn("gina");
    expect(new URL(gina.url()).pathname).toBe("/globex/");
    expect(await gina.textContent("main")).toContain("No resources yet");
    for (const path of ["/acme/", "/acme/templates/net", "/acme/catalog/net/1.0"]) {
      const response = (await gina.goto(`${app}${path}`))!;
      expect(response.status()).toBe(404);
      expect(await gina.locator("main table, main form").count()).toBe(0);
    }
  });

  it("opens the catalog request as a pull request on the inventory, as the signed-in user, once", async () => {
    const page = await signedIn("alice", "/acme/catalog/net/1.0");
    await page.getByLabel("Environment name").fill("staging");
    await page.getByLabel("Stage").fill("test");
    await page.getByLabel("count").fill("3");
    await page.getByRole("button", { name: "Open pull request" }).click();
    await expect.poll(() => page.textContent("#proposal")).toMatch(/^Opened pull request #\d+/);
    const shown = await page.textContent("#spec-file");

    const pulls = h.fake.state.pulls.filter((p) => p.repo === acme && p.headRef === BRANCH);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ author: "alice", state: "open", baseRef: "main", title: "Add environment staging (net 1.x)" });
    expect(await page.getAttribute("#proposal a", "href")).toContain(`/pull/${pulls[0]!.number}`);
    const file = h.fake.state.git.get(pulls[0]!.headSha)!.files.get("inventory/environments/staging.yaml");
    expect(new TextDecoder().decode(file!.bytes)).toBe(shown);
    expect(shown).toContain("template: net@1\nstage: test\nspec:\n  count: 3\n");

    // Sent again: the same pull request, not a second one.
    await page.getByRole("button", { name: "Open pull request" }).click();
    await expect.poll(() => page.textContent("#proposal")).toMatch(new RegExp(`^This request's pull request is #${pulls[0]!.number}`));
    expect(h.fake.state.pulls.filter((p) => p.repo === acme && p.headRef === BRANCH)).toHaveLength(1);
    await shoot(page, "serve-catalog-proposal");
  });

  it("opens nothing where GitHub does not let the user write, and nothing without the CSRF token", async () => {
    const page = await signedIn("bob", "/acme/catalog/net/1.0");
    await page.getByLabel("Environment name").fill("bobs-env");
    await page.getByLabel("Stage").fill("test");
    await page.getByLabel("count").fill("1");
    await page.getByRole("button", { name: "Open pull request" }).click();
    await expect.poll(() => page.textContent("main [role=alert]")).toContain("No pull request was opened: GitHub refused");
    expect(h.fake.state.pulls.filter((p) => p.repo === acme && p.headRef === "baryon/catalog/environment-bobs-env")).toHaveLength(0);
    expect(acme.branches.has("baryon/catalog/environment-bobs-env")).toBe(false);

    const forged = await page.request.post(`${app}/acme/catalog/net/1.0`, { form: { name: "x", stage: "test", "inputs.count": "1", intent: "propose" } });
    expect(forged.status()).toBe(403);
  });

  it("signs out", async () => {
    const page = await signedIn("olga");
    await page.getByRole("button", { name: "Sign out" }).click();
    expect((await page.context().cookies()).filter((c) => c.name === "baryon_session")).toEqual([]);
    expect(await page.textContent("main h1")).toBe("Signed out");
    for (const context of contexts) await context.close();
  });
});
