/**
 * The API's Lambda: REST requests from API Gateway (proxy integration, AWS_IAM auth), and
 * "EKS Cluster Operation Requested" events from the bus rule or one of a cluster's schedules (expiry, unattended upgrade),
 * which take the same routes. Routing and error shape only; each route is its own module.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { OperationRequestEvent } from '../domain/operation-request';
import { sdkEks } from '../ports/eks';
import { dynamoRegistry, InvalidCursorError } from '../ports/registry';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { sdkSchedules } from '../ports/schedules';
import { sdkWorkflows } from '../ports/workflows';
import { config } from '../shared/config';
import { wire } from '../shared/deps';
import { logger } from '../shared/logger';
import { admit } from './admission';
import { handleOperationRequest, isOperationRequest } from './operation-requests';
import { problem } from './problem';
import { toApiRequest, type ApiDeps, type ApiRequest } from './request';
import { matchRoute } from './routes';

export async function dispatch(request: ApiRequest, services: ApiDeps): Promise<APIGatewayProxyResult> {
  const match = matchRoute(request.method, request.path);
  if (!match.route) {
    return match.allowed.length
      ? withHeaders(problem({ status: 405, title: 'Method not allowed', detail: `${request.method} is not supported on ${request.path}`, allow: match.allowed }), { allow: match.allowed.join(', ') })
      : problem({ status: 404, title: 'Not found', detail: `no route for ${request.method} ${request.path}` });
  }
  const admitted = admit(match.route, match.params, request);
  if ('rejected' in admitted) return admitted.rejected;
  try {
    return await match.route.handler(request, services, ...admitted.params);
  } catch (error) {
    if (error instanceof InvalidCursorError) return problem({ status: 400, title: 'Invalid request', detail: `cursor: ${error.message}`, errors: [{ pointer: '/query/cursor', message: error.message }] });
    logger.error('request failed', { errorName: (error as Error).name, errorMessage: (error as Error).message, path: request.path });
    return problem({ status: 503, title: 'Service unavailable', detail: 'the request could not be completed; it is safe to retry (with the same Idempotency-Key)' });
  }
}

function withHeaders(result: APIGatewayProxyResult, headers: Record<string, string>): APIGatewayProxyResult {
  return { ...result, headers: { ...result.headers, ...headers } };
}

export async function routeRequest(event: APIGatewayProxyEvent, services: ApiDeps): Promise<APIGatewayProxyResult> {
  const request = toApiRequest(event);
  if (!request) return problem({ status: 401, title: 'Unauthenticated', detail: 'requests must be signed with AWS SigV4 (AWS_IAM)' });
  return dispatch(request, services);
}

export type ApiEvent = APIGatewayProxyEvent | OperationRequestEvent;
/** A REST response, or for an event what was done with it (nobody reads it but the logs). */
export type ApiOutcome = APIGatewayProxyResult | Awaited<ReturnType<typeof handleOperationRequest>>;

export function handleEvent(event: ApiEvent, services: ApiDeps): Promise<ApiOutcome> {
  return isOperationRequest(event) ? handleOperationRequest(event, services, dispatch) : routeRequest(event, services);
}

// A bad GUARDRAILS or EVENT_SOURCES fails this function at cold start (an init error), not on each request.
config.guardrails();
config.eventSources();

const deps = wire({ events: eventBridgeStatusEvents, registry: dynamoRegistry, workflows: sdkWorkflows, eks: sdkEks, schedules: sdkSchedules });

export const handler = middy((event: ApiEvent): Promise<ApiOutcome> => handleEvent(event, deps())).use(injectLambdaContext(logger, { resetKeys: true }));
