#!/usr/bin/env node
// Writes docs/openapi.json from the document the code serves (src/node/openapi.ts, compiled to
// dist/ by `npm run build`), so that the two never differ; a test checks that they are equal.
import { writeFileSync } from 'node:fs';

const { openapi } = await import(new URL('../dist/src/node/openapi.js', import.meta.url));
const path = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(openapi, null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
