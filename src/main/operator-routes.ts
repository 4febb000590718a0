// What every Baryon process answers for its operators, app and worker alike:
// GET /health (and /healthz) while it runs, GET /metrics in Prometheus' format.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "../adapters/metrics.js";

/** Answers the request when it is an operator's; false for any other. */
export async function answerOperator(req: IncomingMessage, res: ServerResponse, path: string, metrics: Metrics): Promise<boolean> {
  if (req.method !== "GET") return false;
  if (path === "/health" || path === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
    return true;
  }
  if (path !== "/metrics") return false;
  res.writeHead(200, { "content-type": metrics.registry.contentType }).end(await metrics.registry.metrics());
  return true;
}
