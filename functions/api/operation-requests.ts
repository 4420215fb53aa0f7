/**
 * Operations requested by events (docs/architecture.md, Operations requested as events): "EKS Cluster Operation Requested" from an allowed
 * source (EVENT_SOURCES maps each to the IAM principal it acts as), or from one of the service's
 * own schedules (a cluster's expiry, its unattended upgrade). Each becomes the matching REST
 * request, so validation, ownership, the lock and idempotency are the API's own; a refusal is
 * announced on the bus, since nobody waits for a reply.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { validateOperationRequest } from '../generated/validators';
import { EXPIRY_SOURCE, isSystemSource, MAINTENANCE_SOURCE, SYSTEM_SOURCES, type OperationRequestDetail, type OperationRequestEvent, type RequestedOperation } from '../domain/operation-request';
import { unattendedUpgradeNotWanted, type UnattendedSpec } from '../domain/upgrade/unattended';
import { logger } from '../shared/logger';
import type { ApiDeps, ApiRequest } from './request';
import { MAX_JSON_DEPTH, valueNestsDeeperThan } from './limits';
import { problem } from './problem';
import { ROUTES, type Route } from './routes';

/** Each requested operation as its REST route (the route that names it in routes.ts). */
const AS_ROUTE = Object.fromEntries(ROUTES.filter((route) => route.operation).map((route) => [route.operation, route])) as Record<RequestedOperation, Route>;

/**
 * The route's path for the event's cluster and target (every parameter after {name} is the
 * target). A route with several (a Pod Identity association's {namespace}/{serviceAccount}) takes
 * the target's `/`-separated parts in order, each percent-encoded as one segment.
 */
function pathOf(route: Route, cluster: string, target: string): string {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((name) => name !== 'name');
  const parts = params.length > 1 ? target.split('/') : [target];
  let next = 0;
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(name === 'name' ? cluster : (parts[next++] ?? '')));
}

export class OperationRequestFailedError extends Error {
  override name = 'OperationRequestFailedError';
}

/** How long an expiry that found its cluster busy waits before it tries again. */
export const EXPIRY_RETRY_MINUTES = 10;

export function isOperationRequest(event: unknown): event is OperationRequestEvent {
  return typeof event === 'object' && event !== null && 'detail-type' in event && 'source' in event;
}

type Dispatch = (request: ApiRequest, deps: ApiDeps) => Promise<APIGatewayProxyResult>;

/** Runs the request through the API's routes; answers what it did (for logs), announcing refusals. */
export async function handleOperationRequest(event: OperationRequestEvent, deps: ApiDeps, dispatch: Dispatch): Promise<{ statusCode: number; operationId?: string; postponedUntil?: string; skipped?: string }> {
  const detail = event.detail as Partial<OperationRequestDetail> | undefined;
  if (event.source === MAINTENANCE_SOURCE) {
    const skipped = await staleUnattendedUpgrade(detail, deps);
    if (skipped) {
      // A plan the cluster has moved past is no refusal: nobody asked for it any more.
      logger.info('unattended upgrade not started', { cluster: detail?.cluster, reason: skipped });
      return { statusCode: 200, skipped };
    }
  }
  const translated = toApiRequest(event, deps);
  const result = 'rejected' in translated ? translated.rejected : await dispatch(translated.request, deps);
  const body = JSON.parse(result.body || '{}') as { operationId?: string };
  if (event.source === EXPIRY_SOURCE && (result.statusCode === 409 || result.statusCode >= 500) && detail?.cluster) {
    // The cluster is busy (an update runs) or the service could not finish: the expiry must not be
    // lost, so it comes back later, as a new request (its own key, so a failed start is not replayed).
    const at = new Date(deps.clock().getTime() + EXPIRY_RETRY_MINUTES * 60_000);
    await deps.schedules.scheduleExpiry(detail.cluster, at);
    logger.info('expiry postponed', { cluster: detail.cluster, statusCode: result.statusCode, until: at.toISOString() });
    return { statusCode: result.statusCode, postponedUntil: at.toISOString() };
  }
  // The service could not finish it (a throttled or unavailable dependency): fail the invocation so
  // it is retried (Lambda's async retry, Scheduler's retry policy). The idempotency key makes that safe.
  if (result.statusCode >= 500) throw new OperationRequestFailedError(`operation request ${event.id} (${event.source}) could not be completed: ${result.statusCode}; it will be retried`);
  if (result.statusCode >= 400) {
    await deps.events.publishRejection({
      requestId: event.id,
      source: event.source,
      operation: String(detail?.operation ?? ''),
      cluster: String(detail?.cluster ?? ''),
      problem: inDetail(body),
      time: deps.clock().toISOString(),
    });
    logger.warn('operation request rejected', { requestId: event.id, source: event.source, statusCode: result.statusCode });
  }
  return { statusCode: result.statusCode, ...(body.operationId ? { operationId: body.operationId } : {}) };
}

/**
 * Why a scheduled unattended upgrade is no longer wanted, read from the registry when the schedule
 * fires (domain/upgrade/unattended.ts); undefined when it should go ahead, or when the request is
 * one the route itself refuses (no such cluster, a malformed body), so the refusal is announced.
 */
async function staleUnattendedUpgrade(detail: Partial<OperationRequestDetail> | undefined, deps: ApiDeps): Promise<string | undefined> {
  const version = (detail?.body as { version?: unknown } | undefined)?.version;
  if (typeof detail?.cluster !== 'string' || typeof version !== 'string') return undefined;
  const cluster = await deps.registry.getCluster(detail.cluster);
  if (!cluster?.spec) return undefined;
  return unattendedUpgradeNotWanted(cluster.spec as UnattendedSpec, version, deps.clock());
}

/** Where the router's pointers (/path/…, /header/…) are in the event: its detail's fields. */
const DETAIL_POINTERS: Record<string, string> = {
  '/path/name': '/detail/cluster',
  '/path/nodegroup': '/detail/target',
  '/path/profile': '/detail/target',
  '/path/principalArn': '/detail/target',
  '/path/namespace': '/detail/target',
  '/path/serviceAccount': '/detail/target',
  '/header/Idempotency-Key': '/detail/idempotencyKey',
};

function inDetail(problemBody: Record<string, unknown>): Record<string, unknown> {
  const errors = problemBody.errors as Array<{ pointer: string; message: string }> | undefined;
  return errors ? { ...problemBody, errors: errors.map((e) => ({ ...e, pointer: DETAIL_POINTERS[e.pointer] ?? e.pointer })) } : problemBody;
}

function toApiRequest(event: OperationRequestEvent, deps: ApiDeps): { request: ApiRequest } | { rejected: APIGatewayProxyResult } {
  // The service's own schedules act as the service's role; others as their configured principal.
  const systemRole = isSystemSource(event.source) ? SYSTEM_SOURCES[event.source] : undefined;
  const principal = systemRole ? `arn:aws:iam::${event.account}:role/${systemRole}` : deps.settings.eventSources()[event.source];
  // The bus rule admits only configured sources; this holds if the function is invoked otherwise.
  if (!principal) return { rejected: problem({ status: 403, title: 'Forbidden', detail: `event source ${event.source} may not request operations (EVENT_SOURCES)` }) };
  // Before anything recurses into it (the validator, JSON.stringify): a 20,000-deep body would overflow the stack.
  if (valueNestsDeeperThan((event.detail as { body?: unknown } | undefined)?.body, MAX_JSON_DEPTH)) {
    return { rejected: problem({ status: 400, title: 'Malformed request', detail: `the body nests arrays and objects more than ${MAX_JSON_DEPTH} deep`, errors: [{ pointer: '/detail/body', message: `must nest at most ${MAX_JSON_DEPTH} levels deep` }] }) };
  }
  if (!validateOperationRequest(event.detail)) {
    const errors = (validateOperationRequest.errors ?? []).map((e) => ({ pointer: `/detail${e.instancePath}`, message: e.message ?? 'is invalid' }));
    return { rejected: problem({ status: 422, title: 'Invalid operation request', detail: `${errors.length} problem(s) in the event detail`, errors }) };
  }
  const detail = event.detail;
  const route = AS_ROUTE[detail.operation];
  if (/\{(?!name\})\w+\}/.test(route.path) && !detail.target) return { rejected: problem({ status: 422, title: 'Invalid operation request', detail: `${detail.operation} needs a target`, errors: [{ pointer: '/detail/target', message: `is required for ${detail.operation}` }] }) };
  if (detail.operation === 'CREATE_CLUSTER' && (detail.body as { name?: unknown } | undefined)?.name !== detail.cluster) {
    return { rejected: problem({ status: 422, title: 'Invalid operation request', detail: 'the cluster to create must be named in both detail.cluster and detail.body.name', errors: [{ pointer: '/detail/body/name', message: `must equal detail.cluster (${detail.cluster})` }] }) };
  }
  return {
    request: {
      method: route.method,
      path: pathOf(route, detail.cluster, detail.target ?? ''),
      body: detail.body === undefined ? null : JSON.stringify(detail.body),
      // The detail is already JSON: the router's media-type check holds by construction.
      contentType: 'application/json',
      query: {},
      idempotencyKey: detail.idempotencyKey ?? event.id,
      caller: principal,
      account: event.account,
      ...(systemRole ? { system: true } : {}),
    },
  };
}
