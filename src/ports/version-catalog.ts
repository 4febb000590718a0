// The VersionCatalog port: recorded version numbers, so a review can name the next one.
// A registry's catalog is one owner's (Registry.versions(owner)): names are unique per owner.

/** Recorded version numbers, so a review can say which version a merge would publish. */
export interface VersionCatalog {
  /** The highest minor recorded (draft or published) for a template's major, or undefined when none is known. */
  latestMinor(template: string, major: number): Promise<number | undefined>;
  /** The repository ("owner/name") a template is published from, when the catalog knows it. */
  templateRepository?(template: string): Promise<string | undefined>;
}

/**
 * A stand-in for a registry, for reviews without one: it assumes every major the
 * base has is at `N.0` (as the "assuming the base's highest is published").
 */
export const assumeBaseAtZero: VersionCatalog = {
  latestMinor: async () => 0,
};
