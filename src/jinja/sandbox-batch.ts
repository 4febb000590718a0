// Batching of renders between the pool (pool.ts) and a child (sandbox-host.ts):
// the pool sends every render queued for a child in one message, within the
// caps below, and the child answers them in one reply. Each render still runs
// alone in QuickJS, under its own deadline and memory cap.
//
// The child renders a batch in order and stops early, leaving the rest
// unanswered for the pool to send again, when
//   - a render ends the engine (a WebAssembly trap): it replies and exits;
//   - the runtime could not be rebuilt after a runaway or out-of-memory render;
//   - the batch has run for a whole deadline, or its outputs have grown past
//     MAX_REPLY_CHARS: so a batch answers within two deadlines whatever its
//     size (the pool's backstop timer relies on it) and the reply stays small
//     next to the child's heap.
import type { RenderResult } from "../ports/renderer.js";
import { failure } from "./sandbox-protocol.js";

/** Renders the pool sends a child in one message at most. */
export const MAX_BATCH_RENDERS = 64;
/** Characters of contexts and sources in one message at most (a larger render goes alone). */
export const MAX_BATCH_CHARS = 8 * 1024 * 1024;
/** Characters of output after which a child stops starting renders of the batch. */
export const MAX_REPLY_CHARS = 32 * 1024 * 1024;

/** What to do with the runtime after a render: keep it, build a fresh one, or exit the child. */
export type Aftermath = "keep" | "rebuild" | "exit";

export interface BatchRun {
  /** Answers for the first results.length renders, in order; the rest were not started. */
  results: RenderResult[];
  /** What the last answered render left to do ("exit" when the child must end after replying). */
  aftermath: Aftermath;
}

/**
 * Renders `items` in order with `renderOne`, calling `rebuild` between renders
 * when one left the runtime poisoned (a failed rebuild ends the batch and the child). `source(i)` is the template source the
 * child holds for item i, resolved when the batch arrived; undefined means pool
 * and child disagree about it (a bug): that render fails and the child exits.
 */
export function runBatch<T>(
  items: readonly T[],
  sources: readonly (string | undefined)[],
  budgetMs: number,
  renderOne: (item: T, source: string) => [RenderResult, Aftermath],
  rebuild: () => void,
): BatchRun {
  const started = Date.now();
  const results: RenderResult[] = [];
  let aftermath: Aftermath = "keep";
  let replyChars = 0;
  const spent = (): boolean => Date.now() - started >= budgetMs || replyChars >= MAX_REPLY_CHARS;
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && spent()) break; // a pending rebuild then happens after the reply
    if (aftermath === "rebuild") {
      try {
        rebuild();
        aftermath = "keep";
      } catch {
        return { results, aftermath: "exit" };
      }
      if (spent()) break; // the rebuild's own time counts too
    }
    const source = sources[i];
    if (source === undefined) {
      results.push(failure("sandbox", "the render sandbox lost the template source"));
      return { results, aftermath: "exit" };
    }
    const [result, after] = renderOne(items[i]!, source);
    results.push(result);
    replyChars += result.ok ? result.output.length : result.error.message.length;
    aftermath = after;
    if (after === "exit") break;
  }
  return { results, aftermath };
}
