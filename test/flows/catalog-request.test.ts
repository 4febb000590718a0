// A catalog request is held to the inventory's own rules, so the file it makes passes `baryon apply`'s check.
import { describe, expect, it } from "vitest";
import { answerCatalogRequest } from "../../src/flows/catalog-request.js";
import type { VersionRecord } from "../../src/ports/registry.js";

const version = (kind: "environment" | "service"): VersionRecord => ({
  template: "net", kind, major: 1, minor: 0, status: "published", digest: "0".repeat(64), artifact: "file:///x", source: { repository: "acme/t", commit: "c" },
  reasons: [], createdAt: new Date(), publishedAt: new Date(),
  schema: { file: "net/v1/schema/schema.yaml", openapi: "3.0.0", environmentInputType: "In", serviceInputType: "In", lines: {}, types: { In: { type: "object", properties: {} } } },
});
// Refused requests are answered before anything is loaded or rendered.
const ports = { bundleOf: () => Promise.reject(new Error("not loaded for a refused request")), renderer: { render: () => Promise.reject(new Error("not rendered")), close: async () => undefined } };

describe("answerCatalogRequest", () => {
  it("asks an environment for a stage label the inventory accepts", async () => {
    const answer = (stage?: string) => answerCatalogRequest({ version: version("environment"), who: { name: "qa", ...(stage !== undefined ? { stage } : {}) }, form: {} }, ports);
    expect((await answer()).problems).toEqual({ stage: "an environment needs the rollout stage it belongs to" });
    expect((await answer("Prod")).problems.stage).toMatch(/^stage "Prod" is not a valid stage label/);
    expect((await answer("pause")).problems.stage).toMatch(/^stage "pause" is a word of `\/rollout pause`/);
  });

  it("takes the names the inventory takes, underscores included, and refuses the rest", async () => {
    const answer = (name: string) => answerCatalogRequest({ version: version("service"), who: { name, instance: "a_1", environment: "dev" }, form: {} }, ports);
    expect((await answer("../etc")).problems).toEqual({ name: `letters, digits, "-" or "_", starting with a letter or digit (at most 100)` });
    await expect(answer("my_service")).rejects.toThrow("not loaded for a refused request"); // valid: it goes on to load the bundle
  });
});
