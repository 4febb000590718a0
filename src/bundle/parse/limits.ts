// Limits AWS Proton enforced on a bundle. Baryon keeps them: a bundle that
// passes here would have registered in Proton, and a huge or binary file never
// reaches the parser or the render sandbox. The per-file limits hold for the
// files a bundle is read from (schema, manifests, registration, listed template
// files); any other file (a .zip, a lock file) counts only in bundleBytes.

export const LIMITS = {
  bundleBytes: 5 * 1024 * 1024,
  manifestBytes: 50 * 1024,
  schemaBytes: 50 * 1024,
  /** A listed template file, a registration file, an example spec. */
  otherFileBytes: 200 * 1024,
  templateFilesPerBundle: 10,
  nameLength: 100,
} as const;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
