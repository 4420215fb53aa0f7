/**
 * The router's checks of a request against its route and the limits (limits.ts), before the
 * route runs: the query string's size, each path and query parameter, the Idempotency-Key, and a
 * body's presence, size, media type and nesting. Nothing here reads the registry or calls AWS, so
 * input that fails is answered 4xx problem+json naming the field, and never reaches either.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { SpecProblem } from '../shared/errors';
import { IDEMPOTENCY_KEY, MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_QUERY_CHARS, mediaTypeProblem, nestsDeeperThan, parameterProblem, PATH_PARAMETERS, YAML_MEDIA_TYPES, type BodyFormats } from './limits';
import { problem } from './problem';
import type { ApiRequest } from './request';
import type { Route } from './routes';

export type Admission = { params: string[] } | { rejected: APIGatewayProxyResult };

/** The names of a route's path parameters, in order. */
export const pathParameterNames = (route: Route): string[] => [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** Percent-decoding that answers undefined for a malformed escape (%E0%A4%A) instead of throwing. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function admit(route: Route, rawParams: string[], request: ApiRequest): Admission {
  const errors: SpecProblem[] = [];
  const params = pathParameterNames(route).map((name, i) => {
    const value = decoded(rawParams[i] ?? '');
    const message = value === undefined ? 'is not valid percent-encoding' : parameterProblem(value, PATH_PARAMETERS[name]!.schema);
    if (message) errors.push({ pointer: `/path/${name}`, message });
    return value ?? '';
  });
  for (const parameter of route.query ?? []) {
    const value = request.query[parameter.name];
    const message = value === undefined ? (parameter.required ? 'is required' : undefined) : parameterProblem(value, parameter.schema);
    if (message) errors.push({ pointer: `/query/${parameter.name}`, message });
  }
  if (route.startsOperation && request.idempotencyKey !== undefined) {
    const message = parameterProblem(request.idempotencyKey, IDEMPOTENCY_KEY.schema);
    if (message) errors.push({ pointer: `/header/${IDEMPOTENCY_KEY.name}`, message });
  }
  if (errors.length > 0) return { rejected: problem({ status: 400, title: 'Invalid request', detail: errors.map((e) => `${e.pointer.slice(1)} ${e.message}`).join('; '), errors }) };
  // After the named parameters (a too-long cursor is a 400 naming it); this bounds the rest.
  const queryChars = Object.entries(request.query).reduce((sum, [name, value]) => sum + name.length + (value?.length ?? 0) + 2, 0);
  if (queryChars > MAX_QUERY_CHARS) {
    return { rejected: problem({ status: 414, title: 'URI too long', detail: `the query string must be at most ${MAX_QUERY_CHARS} characters (got about ${queryChars})`, errors: [{ pointer: '/query', message: `must be at most ${MAX_QUERY_CHARS} characters` }] }) };
  }
  if (route.body) {
    const rejected = bodyProblem(request, route.body.formats ?? 'json');
    if (rejected) return { rejected };
  }
  return { params };
}

function bodyProblem(request: ApiRequest, formats: BodyFormats): APIGatewayProxyResult | undefined {
  const body = request.body ?? '';
  if (body.trim() === '') return problem({ status: 400, title: 'Malformed request', detail: `${request.method} ${request.path} takes a ${formats === 'json' ? 'JSON' : 'JSON or YAML'} body`, errors: [{ pointer: '', message: `a ${formats === 'json' ? 'JSON' : 'JSON or YAML'} body is required` }] });
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_BODY_BYTES) {
    return problem({ status: 413, title: 'Payload too large', detail: `the body must be at most ${MAX_BODY_BYTES} bytes (got ${bytes})`, errors: [{ pointer: '', message: `must be at most ${MAX_BODY_BYTES} bytes` }] });
  }
  const mediaType = mediaTypeProblem(request.contentType, formats);
  if (mediaType) return problem({ status: 415, title: 'Unsupported media type', detail: mediaType, errors: [{ pointer: '/header/Content-Type', message: `must be application/json (or application/*+json)${formats === 'json' ? '' : ` or ${YAML_MEDIA_TYPES.join(', ')}`}, in UTF-8` }] });
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    return problem({ status: 400, title: 'Malformed request', detail: `the body nests arrays and objects more than ${MAX_JSON_DEPTH} deep`, errors: [{ pointer: '', message: `must nest at most ${MAX_JSON_DEPTH} levels deep` }] });
  }
  return undefined;
}
