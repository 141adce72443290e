/**
 * The shape of the HTTP layer's multipart limits. Their default values live in src/defaults.ts
 * (`defaults.multipart`); the body size itself is `defaults.bodyLimitBytes`.
 */

/** Multipart part counts (each part also bounded in size by the body limit). */
export interface MultipartLimits {
  /** Most non-file fields of one multipart body; default `defaults.multipart.maxFields`. More: 400. */
  maxFields: number;
  /** Most parts (fields and files together); default `defaults.multipart.maxParts`. More: 400. */
  maxParts: number;
}
