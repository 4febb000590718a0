// Prometheus metrics for /metrics. One registry per app instance (tests start several).
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  webhooksReceived: Counter<"event">;
  webhooksProcessed: Counter<"event">;
  webhooksFailed: Counter<"event">;
  reviewDuration: Histogram<"outcome">;
  githubRequests: Counter<"method" | "status">;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "baryon_" });
  return {
    registry,
    webhooksReceived: new Counter({ name: "baryon_webhooks_received_total", help: "Webhook deliveries accepted, by event", labelNames: ["event"], registers: [registry] }),
    webhooksProcessed: new Counter({ name: "baryon_webhooks_processed_total", help: "Webhook jobs finished, by event", labelNames: ["event"], registers: [registry] }),
    webhooksFailed: new Counter({ name: "baryon_webhooks_failed_total", help: "Webhook jobs that failed (each attempt), by event", labelNames: ["event"], registers: [registry] }),
    reviewDuration: new Histogram({
      name: "baryon_review_duration_seconds", help: "Time from job start to reported review", labelNames: ["outcome"],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60], registers: [registry],
    }),
    githubRequests: new Counter({ name: "baryon_github_requests_total", help: "Requests to the GitHub API, by method and status", labelNames: ["method", "status"], registers: [registry] }),
  };
}
