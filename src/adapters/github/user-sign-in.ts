// Signing a person in with the GitHub App's OAuth (the web flow), and acting as
// them afterwards. Their token is a user-to-server token: what it may do is the
// app's permissions intersected with the user's own, so GitHub itself decides
// where a catalog request may open a pull request. Owners are the accounts the
// user can see this app installed on.
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { ProbotOctokit } from "probot";
import type { InventoryWriter } from "../../ports/inventory-writer.js";
import { githubInventoryWriter } from "./inventory-writer.js";

export interface GitHubUserSettings {
  /** The GitHub App's client id and secret (its settings page). */
  clientId: string;
  clientSecret: string;
  /** The REST API (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3); GitHub's web pages are found from it. */
  baseUrl?: string;
}

export interface SignedInUser {
  login: string;
  /** Accounts (organizations and the user's own) where the user can see this app installed. */
  owners: string[];
  token: string;
  /** When the token stops working (GitHub Apps: 8 hours by default); undefined when it does not expire. */
  expiresAt?: number;
}

/** GitHub's page that asks the user to authorize the app, coming back to `redirectUrl` with `state`. */
export interface GitHubUserAccess {
  authorizeUrl(redirectUrl: string, state: string): string;
  /** Trades the code GitHub sent back for a token, and reads who it belongs to. */
  signIn(code: string, redirectUrl: string): Promise<SignedInUser>;
  /** The inventory writer acting as the user. */
  writer(token: string): InventoryWriter;
}

/** At most this many installations are read: a session carries its owners in a cookie. */
const MAX_OWNERS = 200;

export function githubUserAccess(settings: GitHubUserSettings): GitHubUserAccess {
  const baseUrl = settings.baseUrl ?? "https://api.github.com";
  const octokit = (token?: string) => new ProbotOctokit({ baseUrl, ...(token ? { auth: { token } } : {}) });
  const request = octokit().request;
  return {
    authorizeUrl: (redirectUrl, state) =>
      getWebFlowAuthorizationUrl({ clientType: "github-app", clientId: settings.clientId, redirectUrl, state, request }).url,

    async signIn(code, redirectUrl) {
      const { authentication } = await exchangeWebFlowCode({ clientType: "github-app", clientId: settings.clientId, clientSecret: settings.clientSecret, code, redirectUrl, request });
      const user = octokit(authentication.token);
      const { data: me } = await user.rest.users.getAuthenticated();
      const owners: string[] = [];
      for await (const { data } of user.paginate.iterator(user.rest.apps.listInstallationsForAuthenticatedUser, { per_page: 100 })) {
        for (const installation of data) {
          const account = installation.account;
          if (account && "login" in account && owners.length < MAX_OWNERS) owners.push(account.login);
        }
      }
      const expiresAt = "expiresAt" in authentication && authentication.expiresAt ? Date.parse(authentication.expiresAt) : undefined;
      return { login: me.login, owners, token: authentication.token, ...(expiresAt ? { expiresAt } : {}) };
    },

    writer: (token) => githubInventoryWriter(octokit(token)),
  };
}
