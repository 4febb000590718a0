// What people do on a template pull request, through the app and the fake GitHub,
// each followed by waiting until the app has done everything it set off.
import { CATALOG_FILES } from "./inventory.js";
import { SECRET, type Harness } from "./app-harness.js";
import { deliver, issueCommentDelivery, pullRequestDelivery } from "./fake-github/webhooks.js";

export type Repo = ReturnType<Harness["fake"]["state"]["addRepo"]>;

const API_TEMPLATE = "api/v1/instance_infrastructure/cloudformation.yaml";

/**
 * A pull request by `author` (from their fork if `fork`) that changes the api template, reviewed,
 * then merged: 1.1 is published and its rollout starts. With `settle: false` it returns once the
 * merge is delivered, while the app still works on it.
 */
export async function mergeApiChange(h: Harness, repo: Repo, number: number, options: { author?: string; fork?: boolean; settle?: boolean } = {}): Promise<void> {
  const base = repo.branches.get("main")!;
  const head = h.fake.state.commit(repo, { [`templates/${API_TEMPLATE}`]: `# change ${number}\n${CATALOG_FILES[API_TEMPLATE]}` }, { parent: base });
  const opened = h.fake.state.openPullRequest(repo, { number, base, head, author: options.author ?? "octocat", fork: options.fork ?? false });
  await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", opened, { secret: SECRET }));
  await h.app.queue.idle();
  const merged = h.fake.state.closePullRequest(repo, number, { merged: true });
  await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
  if (options.settle ?? true) await h.app.queue.idle();
}

/** `author` comments `body` on pull request `number`: Baryon's reply to that comment (empty if none) and its reactions to it. */
export async function comment(h: Harness, repo: Repo, number: number, author: string, body: string): Promise<{ reply: string; reactions: string[] }> {
  const written = h.fake.state.addComment(repo, number, { author, body });
  await deliver(h.webhookUrl, issueCommentDelivery(h.fake, "created", written, { secret: SECRET }));
  await h.app.queue.idle();
  const reply = h.fake.state.comments(repo, number).find((c) => c.body.includes(`<!-- baryon:command ${written.id} -->`));
  return { reply: reply?.body ?? "", reactions: h.fake.state.comment(written.id)!.reactions.map((r) => r.content) };
}
