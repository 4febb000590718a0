// One attempt of one job: call the handler, then decide what its failure means.
// Both adapters go through here, so retries and logs read the same whichever runs.
import { retryDelayMs, type RetryPolicy } from "./job-options.js";
import { PermanentJobError, type JobHandler, type QueuedJob, type QueueLogger } from "../../ports/job-queue.js";

export type JobOutcome =
  | { status: "done" }
  | { status: "retry"; delayMs: number; error: Error }
  | { status: "failed"; permanent: boolean; error: Error };

export async function runJob<T>(handler: JobHandler<T>, job: QueuedJob<T>, policy: RetryPolicy, logger: QueueLogger): Promise<JobOutcome> {
  try {
    await handler(job);
    return { status: "done" };
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown), { cause: thrown });
    const fields = { job: { name: job.name, id: job.id, attempt: job.attempt }, err: error };
    if (error instanceof PermanentJobError) {
      logger.error(fields, `job ${job.name} ${job.id} failed permanently, not retried: ${error.message}`);
      return { status: "failed", permanent: true, error };
    }
    if (job.attempt >= policy.attempts) {
      logger.error(fields, `job ${job.name} ${job.id} failed for good after ${job.attempt} attempt(s): ${error.message}`);
      return { status: "failed", permanent: false, error };
    }
    const delayMs = retryDelayMs(policy.backoffMs, job.attempt);
    logger.warn({ ...fields, retryInMs: delayMs }, `job ${job.name} ${job.id} failed, retrying in ${delayMs} ms: ${error.message}`);
    return { status: "retry", delayMs, error };
  }
}
