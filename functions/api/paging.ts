/** `?limit=&cursor=` of the list routes, as the router admitted them (limits.ts: PAGE_SIZE, CURSOR). */
import { principalOf } from '../domain/caller';
import type { PageQuery } from '../ports/registry';
import { PAGE_SIZE } from './limits';
import type { ApiRequest } from './request';

/** The page asked for; the cursor is bound to the caller's principal, so only they can continue it. */
export function pageQuery(request: ApiRequest): PageQuery {
  const { limit, cursor } = request.query;
  return { limit: limit === undefined ? PAGE_SIZE.default : Number(limit), ...(cursor ? { cursor } : {}), caller: principalOf(request.caller) };
}
