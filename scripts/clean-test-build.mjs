#!/usr/bin/env node
// Removes dist/test before a build, so that a test deleted from test/ leaves no compiled copy
// behind for the runner to find.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist/test/', import.meta.url), { recursive: true, force: true });
