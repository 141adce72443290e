import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  openapiDocuments,
  withDocumentApps,
  type OpenapiDocuments,
} from '../../../src/cli/openapi-documents.js';
import type { FastifyInstance } from 'fastify';
import { routesOf } from '../../../src/http/index.js';
import {
  memberStatuses,
  nodeSnapshotSchema,
  partitionStrategies,
  resizeCauses,
  scaleActions,
  scaleModes,
} from '../../../src/wire/index.js';

const docsDir = new URL('../../../../docs/', import.meta.url);
const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options'];
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
};
type Operation = {
  responses?: Record<string, { description?: string }>;
  parameters?: { name: string; in: string }[];
};

let documents: OpenapiDocuments | undefined;
async function docs(): Promise<OpenapiDocuments> {
  documents ??= await openapiDocuments();
  return documents;
}

/** The routes an app declared, in the document's spelling of their paths. */
function served(app: FastifyInstance): string[] {
  return routesOf(app)
    .map((route) => route.replace('/v1/keys/*', '/v1/keys/{key}').replace(/:(\w+)/g, '{$1}'))
    .sort();
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    .sort();
}

test('docs/ holds exactly the documents the node, the gateway and the manager generate (npm run openapi)', async () => {
  for (const [name, document] of Object.entries(await docs())) {
    const file = new URL(name, docsDir);
    assert.ok(existsSync(file), `docs/${name} is missing: run npm run openapi`);
    assert.deepEqual(
      JSON.parse(readFileSync(file, 'utf8')),
      JSON.parse(JSON.stringify(document)),
      `docs/${name} differs from the generated document: run npm run openapi`,
    );
  }
});

test('every route each app serves is in its document, and every documented operation is served', async () => {
  await withDocumentApps(async (apps) => {
    const all = await docs();
    for (const [app, name] of [
      [apps.node, 'openapi.json'],
      [apps.gateway, 'openapi-gateway.json'],
      [apps.manager, 'openapi-manager.json'],
    ] as const) {
      const doc = all[name] as unknown as Doc;
      assert.deepEqual(documented(doc), served(app), name);
      // What the app serves at its own URL is the same document.
      const url =
        name === 'openapi-manager.json' ? '/api/manager/openapi.json' : '/v1/openapi.json';
      const answer = await app.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 200);
      assert.deepEqual(answer.json(), JSON.parse(JSON.stringify(doc)));
    }
  });
});

test('each document is OpenAPI 3.1 with a described answer for every operation and every path parameter declared', async () => {
  for (const [name, document] of Object.entries(await docs())) {
    const doc = document as unknown as Doc;
    assert.equal(doc.openapi, '3.1.0', name);
    for (const [path, item] of Object.entries(doc.paths)) {
      assert.ok(path.startsWith('/'), `${name}: ${path}`);
      assert.ok(!path.includes('*') && !path.includes(':'), `${name}: ${path} is not a template`);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const where = `${name}: ${method} ${path}`;
        const responses = Object.entries(operation.responses ?? {});
        assert.ok(responses.length > 0, `${where} has no responses`);
        for (const [status, response] of responses) {
          assert.match(status, /^[1-5]\d\d$/, where);
          assert.ok(response.description && response.description !== 'Default Response', where);
        }
        const inPath = (operation.parameters ?? []).filter((p) => p.in === 'path');
        assert.deepEqual(inPath.map((p) => p.name).sort(), [...templated].sort(), where);
      }
    }
  }
});

test("the gateway's document is that of cachepool gateway: it lists the standalone gateway's /metrics", async () => {
  const doc = (await docs())['openapi-gateway.json'] as unknown as Doc;
  assert.ok(documented(doc).includes('GET /metrics'), 'GET /metrics');
  const answer = doc.paths['/metrics']?.get?.responses?.['200'];
  assert.equal(answer?.description, 'Prometheus text exposition.');
});

test("the manager's document spells each union as the wire module does", async () => {
  const text = JSON.stringify((await docs())['openapi-manager.json']);
  for (const values of [
    memberStatuses,
    scaleModes,
    scaleActions,
    resizeCauses,
    partitionStrategies,
  ])
    assert.ok(text.includes(`"enum":${JSON.stringify(values)}`), values.join(', '));
});

test("the manager's document shows the NodeSnapshot schema as the body of a node's statistics push", async () => {
  const doc = (await docs())['openapi-manager.json'] as unknown as {
    paths: Record<
      string,
      { post: { requestBody: { content: Record<string, { schema: unknown }> } } }
    >;
  };
  const body = doc.paths['/api/manager/stats']!.post.requestBody.content['application/json'];
  assert.deepEqual(body?.schema, JSON.parse(JSON.stringify(nodeSnapshotSchema)));
});

test('the dashboard bundle holds no schema: it imports the wire types only', () => {
  const bundle = new URL('../../../dashboard/assets/dashboard.js', import.meta.url);
  const script = readFileSync(bundle, 'utf8');
  for (const text of ['additionalProperties', 'The original name of replacement_policy'])
    assert.ok(!script.includes(text), `the dashboard bundle contains ${JSON.stringify(text)}`);
});

test("the manager database's first schema step checks the same statuses, modes and actions as the wire (a new value needs a new step)", () => {
  const source = readFileSync(
    new URL('../../../../src/manager/state/schema.ts', import.meta.url),
    'utf8',
  );
  const checked = (column: string) => {
    const match = new RegExp(`${column} TEXT NOT NULL CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(
      source,
    );
    assert.ok(match, column);
    return match[1]!.split(',').map((v) => v.trim().replace(/'/g, ''));
  };
  assert.deepEqual(checked('status'), [...memberStatuses]);
  assert.deepEqual(checked('mode'), [...scaleModes]);
  assert.deepEqual(checked('action'), [...scaleActions]);
});
