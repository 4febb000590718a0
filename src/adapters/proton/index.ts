// The legacy AWS Proton publisher: optional, off unless configured (see docs/proton-mirror.md).
export * from "./types.js";
export { createProtonPublisher, type ProtonPublisherOptions } from "./publisher.js";
export { protonConfigFromEnv, type ProtonConfigResult, type ProtonMirrorSettings } from "./config.js";
