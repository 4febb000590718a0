import { buildSandbox } from "../scripts/build-sandbox.mjs";

// The render sandbox runs prebuilt scripts; rebuild them so tests see the current source.
export default async function setup(): Promise<void> {
  await buildSandbox();
}
