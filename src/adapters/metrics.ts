// Prometheus metrics for /metrics. One registry per app instance (tests start several).
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  webhooksReceived: Counter<"event">;
  /** Job attempts that finished, by job kind and outcome (done, failed). */
  jobsFinished: Counter<"kind" | "outcome">;
  /** Deliveries GitHub sent again (same delivery id), answered without acting. */
  duplicateDeliveries: Counter<"event">;
  reviewDuration: Histogram<"outcome">;
  githubRequests: Counter<"method" | "status">;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "baryon_" });
  return {
    registry,
    webhooksReceived: new Counter({ name: "baryon_webhooks_received_total", help: "Webhook deliveries accepted, by event", labelNames: ["event"], registers: [registry] }),
    jobsFinished: new Counter({ name: "baryon_jobs_total", help: "Job attempts finished, by kind and outcome (done, failed)", labelNames: ["kind", "outcome"], registers: [registry] }),
    duplicateDeliveries: new Counter({ name: "baryon_webhooks_duplicate_total", help: "Redelivered webhooks (a delivery id already processed), ignored", labelNames: ["event"], registers: [registry] }),
    reviewDuration: new Histogram({
      name: "baryon_review_duration_seconds", help: "Time from job start to reported review", labelNames: ["outcome"],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60], registers: [registry],
    }),
    githubRequests: new Counter({ name: "baryon_github_requests_total", help: "Requests to the GitHub API, by method and status", labelNames: ["method", "status"], registers: [registry] }),
  };
}
