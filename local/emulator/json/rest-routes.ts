/**
 * restJson1 plumbing shared by the REST-routed JSON services (Scheduler, Lambda): a route table
 * of `METHOD /path/{Param}` templates, and the fault check that answers in restJson1's status
 * codes (a throttle is a 429, a server fault a 500 with the service's own error code).
 */
import { EmulatorError } from '../protocol';
import type { World } from '../world';

export interface RestRoute<Call, Answer> {
  method: string;
  /** `/schedules/{Name}`: a `{Param}` segment matches any one segment, others match literally. */
  path: string;
  /** The operation name world.calls and fault rules see. */
  operation: string;
  run: (call: Call) => Answer;
}

export interface RouteMatch<Route> {
  route: Route;
  /** The `{Param}` segments, percent-decoded. */
  params: Record<string, string>;
}

function matchTemplate(path: string, segments: string[]): Record<string, string> | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]!.startsWith('{')) params[parts[i]!.slice(1, -1)] = segments[i]!;
    else if (parts[i] !== segments[i]) return undefined;
  }
  return params;
}

/** The first route for the method whose template the decoded path fits; a path that does not decode is a ValidationException. */
export function findRoute<Route extends { method: string; path: string }>(routes: readonly Route[], method: string, pathname: string): RouteMatch<Route> | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new EmulatorError(400, 'ValidationException', `Malformed path ${pathname}`);
  }
  for (const route of routes) {
    const params = route.method === method ? matchTemplate(route.path, segments) : undefined;
    if (params) return { route, params };
  }
  return undefined;
}

export interface RestJsonFaultCodes {
  /** The code a throttle answers, with 429 (Scheduler ThrottlingException, Lambda TooManyRequestsException). */
  throttleCode: string;
  /** The code a server fault answers, with 500 (Scheduler InternalServerException, Lambda ServiceException). */
  serverErrorCode: string;
}

/** Lets fault rules throttle or fail the call, in restJson1's statuses and the service's codes. */
export function checkRestJsonFaults(world: World, service: string, operation: string, codes: RestJsonFaultCodes): void {
  try {
    world.faults.checkCall(service, operation, codes.throttleCode);
  } catch (error) {
    if (error instanceof EmulatorError && error.code === codes.throttleCode) throw new EmulatorError(429, codes.throttleCode, error.message);
    if (error instanceof EmulatorError && error.status >= 500) throw new EmulatorError(500, codes.serverErrorCode, error.message);
    throw error;
  }
}
