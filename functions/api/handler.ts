/** The REST API's Lambda (API Gateway proxy integration, AWS_IAM auth): routing and error shape only. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { dynamoRegistry } from '../ports/registry';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { sdkWorkflows } from '../ports/workflows';
import { wire } from '../shared/deps';
import { logger } from '../shared/logger';
import { createCluster } from './create-cluster';
import { getOperation } from './get-operation';
import { problem } from './problem';
import { toApiRequest, type ApiDeps, type ApiRequest } from './request';

type Route = (request: ApiRequest, deps: ApiDeps, ...params: string[]) => Promise<APIGatewayProxyResult>;

const ROUTES: Array<{ method: string; pattern: RegExp; route: Route }> = [
  { method: 'POST', pattern: /^\/clusters\/?$/, route: createCluster },
  { method: 'GET', pattern: /^\/operations\/([A-Za-z0-9_-]{1,80})$/, route: getOperation },
];

export async function routeRequest(event: APIGatewayProxyEvent, services: ApiDeps): Promise<APIGatewayProxyResult> {
  const request = toApiRequest(event);
  if (!request) return problem({ status: 401, title: 'Unauthenticated', detail: 'requests must be signed with AWS SigV4 (AWS_IAM)' });
  const matches = ROUTES.filter((r) => r.pattern.test(request.path));
  const match = matches.find((r) => r.method === request.method);
  if (!match) {
    return matches.length
      ? problem({ status: 405, title: 'Method not allowed', detail: `${request.method} is not supported on ${request.path}`, allow: matches.map((r) => r.method) })
      : problem({ status: 404, title: 'Not found', detail: `no route for ${request.method} ${request.path}` });
  }
  const params = match.pattern.exec(request.path)!.slice(1).map(decodeURIComponent);
  try {
    return await match.route(request, services, ...params);
  } catch (error) {
    logger.error('request failed', { errorName: (error as Error).name, errorMessage: (error as Error).message, path: request.path });
    return problem({ status: 503, title: 'Service unavailable', detail: 'the request could not be completed; it is safe to retry (with the same Idempotency-Key)' });
  }
}

const deps = wire({ events: eventBridgeStatusEvents, registry: dynamoRegistry, workflows: sdkWorkflows });

export const handler = middy((event: APIGatewayProxyEvent) => routeRequest(event, deps())).use(injectLambdaContext(logger, { resetKeys: true }));
