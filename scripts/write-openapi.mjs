#!/usr/bin/env node
// Writes docs/openapi.json (a node's), docs/openapi-gateway.json and docs/openapi-manager.json
// from the documents the apps generate from their route schemas (src/cli/openapi-documents.ts,
// compiled to dist/ by `npm run build`), so that docs/ and the servers never differ; a test
// checks that they are equal.
import { writeFileSync } from 'node:fs';

const { openapiDocuments } = await import(
  new URL('../dist/src/cli/openapi-documents.js', import.meta.url)
);
for (const [name, document] of Object.entries(await openapiDocuments())) {
  const path = new URL(`../docs/${name}`, import.meta.url);
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${path.pathname}`);
}
