/** GET /openapi.json: the API's own description, built from the route table and schemas. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { buildOpenApi } from './openapi';
import { json } from './problem';
import { ROUTES } from './routes';

let document: unknown;

export async function getOpenApi(): Promise<APIGatewayProxyResult> {
  document ??= buildOpenApi(ROUTES);
  return json(200, document);
}
