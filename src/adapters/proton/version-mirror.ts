// The Proton publisher as the publish flow's VersionMirror: a failure in Proton
// is reported on the pull request, never a reason to lose Baryon's own version.
import type { Bundle } from "../../bundle/model.js";
import type { VersionMirror } from "../../ports/version-mirror.js";
import type { VersionRecord } from "../../ports/registry.js";
import type { ProtonPublisher } from "./types.js";

export function protonMirror(publisher: ProtonPublisher): VersionMirror {
  return {
    name: "AWS Proton",
    /** `tar` is the bundle's canonical tar; `version.digest` may be a legacy one (see ProtonVersion.digest). */
    async publish(version: VersionRecord, bundle: Bundle, tar: Uint8Array, isNewMajor: boolean) {
      try {
        const result = await publisher.publish({
          template: version.template, kind: version.kind, major: version.major, minor: version.minor, isNewMajor,
          bundle: tar, digest: version.digest,
          description: `Baryon ${version.major}.${version.minor} from ${version.source.repository}@${version.source.commit.slice(0, 7)}`,
          draft: version.status === "draft",
          ...(bundle.kind === "service" ? { compatibleEnvironments: bundle.compatibleEnvironments, supportedComponentSources: bundle.supportedComponentSources } : {}),
        });
        return result.ok ? { ok: true as const } : { ok: false as const, error: result.error };
      } catch (error) {
        return { ok: false as const, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
