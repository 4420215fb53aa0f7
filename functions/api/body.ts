/** A request's JSON body, or the 400 that says what was expected. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { problem } from './problem';
import type { ApiRequest } from './request';

export function parseBody(request: ApiRequest, expected: string): { value: unknown } | { rejected: APIGatewayProxyResult } {
  try {
    return { value: JSON.parse(request.body ?? '') };
  } catch {
    return { rejected: problem({ status: 400, title: 'Malformed request', detail: `the body must be ${expected}` }) };
  }
}

/** A JSON object body (not an array, string or null), or the 400. */
export function parseObjectBody(request: ApiRequest, expected: string): { value: Record<string, unknown> } | { rejected: APIGatewayProxyResult } {
  const body = parseBody(request, expected);
  if ('rejected' in body) return body;
  if (!body.value || typeof body.value !== 'object' || Array.isArray(body.value)) return { rejected: problem({ status: 400, title: 'Malformed request', detail: `the body must be ${expected}` }) };
  return { value: body.value as Record<string, unknown> };
}
