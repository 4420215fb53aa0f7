/** `?limit=&cursor=` of the list routes. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { PageQuery } from '../ports/registry';
import { problem } from './problem';
import type { ApiRequest } from './request';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export function pageQuery(request: ApiRequest): { page: PageQuery } | { rejected: APIGatewayProxyResult } {
  const text = request.query.limit;
  const limit = text === undefined ? DEFAULT_PAGE_SIZE : Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    return { rejected: problem({ status: 400, title: 'Invalid query', detail: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, errors: [{ pointer: '/query/limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }] }) };
  }
  return { page: { limit, ...(request.query.cursor ? { cursor: request.query.cursor } : {}) } };
}
