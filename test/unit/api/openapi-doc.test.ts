/** docs/openapi.json is the committed copy of GET /openapi.json: it must match the route table it is built from. */
import { readFileSync } from 'node:fs';
import { buildOpenApi } from '../../../functions/api/openapi';
import { IDEMPOTENCY_KEY, PATH_PARAMETERS } from '../../../functions/api/limits';
import { ROUTES } from '../../../functions/api/routes';
import { OPENAPI_DOC, renderOpenApi } from '../../../scripts/openapi';

type Paths = Record<string, Record<string, { operationId?: string }>>;

const committed = () => readFileSync(OPENAPI_DOC, 'utf8');

describe('docs/openapi.json', () => {
  it('is exactly what buildOpenApi(ROUTES) gives, so readers see the API the code serves', () => {
    const expected = renderOpenApi();

    const text = committed();

    // A bare toBe would print a 60 KB diff; the fix is one command.
    if (text !== expected) throw new Error('docs/openapi.json differs from buildOpenApi(ROUTES): run `npm run openapi` and commit the result');
    expect(JSON.parse(text)).toEqual(buildOpenApi(ROUTES));
  });

  it('describes every route of the table, under its path and method, with its operationId', () => {
    const paths = (JSON.parse(committed()) as { paths: Paths }).paths;

    const missing = ROUTES.filter((route) => paths[route.path]?.[route.method.toLowerCase()]?.operationId !== route.operationId).map((route) => `${route.method} ${route.path}`);

    expect(missing).toEqual([]);
  });

  it('documents answers only one route gives: abort refuses non-admins (403) and an operation that already ended (409)', () => {
    const abort = (buildOpenApi(ROUTES).paths as Record<string, Record<string, { responses: Record<string, { description: string }> }>>)['/operations/{id}/abort']!.post!;

    expect(abort.responses['403']!.description).toContain('not an admin');
    expect(abort.responses['409']!.description).toContain('already ended');
  });

  it('lists no path or method the route table does not serve', () => {
    const paths = (JSON.parse(committed()) as { paths: Paths }).paths;
    const served = new Set(ROUTES.map((route) => `${route.method.toLowerCase()} ${route.path}`));

    const documented = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));

    expect(documented.filter((entry) => !served.has(entry))).toEqual([]);
  });

  it('shows every limit the router checks: each parameter and header schema, 413/414/415 where they apply', () => {
    type Operation = { parameters?: Array<{ name: string; in: string; schema: unknown }>; responses: Record<string, unknown> };
    const paths = (JSON.parse(committed()) as { paths: Record<string, Record<string, Operation>> }).paths;

    for (const route of ROUTES) {
      const operation = paths[route.path]![route.method.toLowerCase()]!;
      const documented = Object.fromEntries((operation.parameters ?? []).map((p) => [`${p.in} ${p.name}`, p.schema]));
      const checked = {
        ...Object.fromEntries([...route.path.matchAll(/\{(\w+)\}/g)].map((m) => [`path ${m[1]}`, PATH_PARAMETERS[m[1]!]!.schema])),
        ...Object.fromEntries((route.query ?? []).map((q) => [`query ${q.name}`, q.schema])),
        ...(route.startsOperation ? { [`header ${IDEMPOTENCY_KEY.name}`]: IDEMPOTENCY_KEY.schema } : {}),
      };
      expect(documented).toEqual(checked);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(route.body ? ['413', '414', '415'] : ['414']));
    }
  });
});
