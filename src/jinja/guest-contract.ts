// The contract between the sandbox host (pool, sandbox-host) and the guest script.
/**
 * The contract between the host and the guest script (dist/sandbox/guest.js)
 * evaluated inside QuickJS: the guest defines `globalThis.__baryon.render(name,
 * key, source, contextJson, exactNumbers)`, frozen by lockdown, and it must never throw.
 *
 * - `key` (a number) names the template source; the host never gives one key
 *   to two different sources, so the guest may cache compiled templates by key.
 * - `source` is the Jinja source, or null when the host expects the guest to
 *   know the key already. A guest that does not (it evicted it, or it is a fresh
 *   runtime) returns {@link GUEST_NEED_SOURCE}, and the host calls again, once,
 *   with the source, under the same deadline.
 * - `contextJson` is the context as JSON. With `exactNumbers` true its numbers
 *   read as Python's json reads them: `5.0` is a float, an integer keeps every
 *   digit; otherwise JSON.parse's numbers are exact already.
 * - The reply is a string: {@link GUEST_OK_PREFIX} followed by the output, or a
 *   JSON-encoded RenderResult (failures; a JSON `ok: true` result is accepted
 *   too). The host checks the reply's shape: template code can make the guest
 *   return anything.
 */
export const GUEST_GLOBAL = "__baryon";
/**
 * Starts a successful reply; everything after it is the output, verbatim. The
 * host reads a reply as a C string, which ends at the first NUL: an output that
 * contains one must be sent as JSON instead.
 */
export const GUEST_OK_PREFIX = "ok:";
/** The whole reply of a guest asked to render a key it does not hold, with a null source. */
export const GUEST_NEED_SOURCE = "source?";
