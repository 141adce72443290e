/**
 * Public surface of wire/: the JSON Schemas of what cachepool's servers answer and accept, and
 * the types derived from them. A leaf: it imports nothing of cachepool, runs no code beyond
 * building constant objects, and is safe to import (types only) into the dashboard bundle.
 */
export * from './unions.js';
export * from './envelope.js';
export * from './manager.js';
export * from './node.js';
export * from './snapshot.js';
