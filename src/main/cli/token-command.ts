// `baryon token create --owner <login> [--name <name>]`: a Baryon token for the
// Proton API (`/api/proton`), printed as AWS credentials for a pipeline that
// calls Proton. It is derived from the server's secret, so it must run with the
// environment `baryon serve` runs with (BARYON_API_SECRET, else WEBHOOK_SECRET,
// from the environment or ./.env); nothing is stored.
import { existsSync } from "node:fs";
import { createApiToken, OWNER_LOGIN, TOKEN_NAME, tokenKey, type ApiToken } from "../../adapters/proton-api/api-token.js";
import { apiSecretFromEnv } from "../../compose/settings.js";
import { UsageError, type Out } from "./output.js";

export interface TokenOptions {
  owner: string;
  name: string;
  format: "text" | "json";
}

export function runTokenCreate(options: TokenOptions, out: Out, env: NodeJS.ProcessEnv = process.env): number {
  // `baryon setup` writes the app's secrets to ./.env, where `baryon serve` reads them too.
  if (env === process.env && existsSync(".env")) process.loadEnvFile(".env");
  if (!OWNER_LOGIN.test(options.owner)) throw new UsageError(`--owner ${JSON.stringify(options.owner)}: give the GitHub login (organization or user) whose services the token may deploy`);
  if (!TOKEN_NAME.test(options.name)) throw new UsageError(`--name ${JSON.stringify(options.name)}: 1-64 letters, digits, "-" or "_"`);
  const api = apiSecretFromEnv(env);
  if (api.error) throw new UsageError(api.error);
  const secret = api.value ?? env.WEBHOOK_SECRET?.trim();
  if (!secret) throw new UsageError("neither BARYON_API_SECRET nor WEBHOOK_SECRET is set: run this where `baryon serve` runs, with its environment");
  const token = createApiToken(tokenKey(secret), options.owner, options.name);
  out.write(options.format === "json" ? `${JSON.stringify(token, null, 2)}\n` : tokenText(token, api.value ? "BARYON_API_SECRET" : "WEBHOOK_SECRET", env.BARYON_PUBLIC_URL));
  return 0;
}

function tokenText(token: ApiToken, from: string, publicUrl: string | undefined): string {
  const endpoint = `${(publicUrl?.trim() || "https://<baryon>").replace(/\/+$/, "")}/api/proton`;
  return [
    `A Baryon token for ${token.owner}'s services, named ${token.name} (deployments it asks for say "token:${token.name}").`,
    `It stays valid until ${from} changes; keep it as a secret of the pipeline.`,
    "",
    `AWS_ACCESS_KEY_ID=${token.accessKeyId}`,
    `AWS_SECRET_ACCESS_KEY=${token.secretAccessKey}`,
    "",
    "A pipeline that calls Proton keeps its commands and adds the endpoint:",
    `  aws proton update-service-instance --endpoint-url ${endpoint} ...`,
    `  aws proton wait service-instance-deployed --endpoint-url ${endpoint} ...`,
    "",
  ].join("\n");
}
