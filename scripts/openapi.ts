/**
 * Writes docs/openapi.json: the OpenAPI document GET /openapi.json answers, built from the route
 * table and the schemas (functions/api/openapi.ts), so readers without a deployment can see it.
 * test/unit/api/openapi-doc.test.ts fails when the copy is stale: run `npm run openapi`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApi } from '../functions/api/openapi';
import { ROUTES } from '../functions/api/routes';

export const OPENAPI_DOC = join(__dirname, '..', 'docs', 'openapi.json');

/** The document as committed: 2-space JSON with a trailing newline. */
export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApi(ROUTES), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(OPENAPI_DOC, renderOpenApi());
  process.stdout.write(`wrote ${OPENAPI_DOC}\n`);
}
