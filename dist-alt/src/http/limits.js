/**
 * The shape of the HTTP layer's multipart limits. Their default values live in src/defaults.ts
 * (`defaults.multipart`); the body size itself is `defaults.bodyLimitBytes`.
 */
export {};
//# sourceMappingURL=limits.js.map