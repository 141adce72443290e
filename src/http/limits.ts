/**
 * Limits of the HTTP layer that src/defaults.ts does not hold yet: how many parts a multipart
 * body may have. The body size itself is `defaults.bodyLimitBytes`.
 */

/** Multipart part counts (each also bounded in size by the body limit). */
export interface MultipartLimits {
  /** Most non-file fields of one multipart body; default 100. More: 400. */
  maxFields: number;
  /** Most parts (fields and files together) of one multipart body; default 110. More: 400. */
  maxParts: number;
}

/** The default multipart limits; a legacy request has at most a handful of fields. */
export const multipartDefaults: Readonly<MultipartLimits> = { maxFields: 100, maxParts: 110 };

/** Most file parts of one multipart body (a legacy client sends a value as at most one file). */
export const MULTIPART_MAX_FILES = 10;
