/**
 * Lists over awsQuery (IAM, Auto Scaling): opaque page tokens and tag filters, in one place so
 * each service's actions only say which parameter names and limits they use.
 *
 * A token is the position of the next item, base64url-encoded; AWS's are opaque too, so callers
 * only ever pass back what they were given.
 */
import { EmulatorError, formList } from './protocol';

export interface PageRequest {
  /** The token the previous page returned (IAM's Marker, Auto Scaling's NextToken). */
  token?: string;
  /** How many items at most (IAM's MaxItems, Auto Scaling's MaxRecords), as the form carried it. */
  limit?: string;
}

export interface PageRules {
  /** The parameter names, for the error messages (`maxItems`, `marker`). */
  limitName: string;
  defaultLimit: number;
  maxLimit: number;
  /** What a token this emulator did not hand out is answered with. */
  invalidToken: (token: string) => EmulatorError;
}

export interface Page<T> {
  items: T[];
  /** Set when more items follow. */
  next?: string;
}

function decodePosition(token: string, rules: PageRules): number {
  const position = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(position) || position < 0 || token.length === 0) throw rules.invalidToken(token);
  return position;
}

/** One page of `items` (already filtered and in their stable order). */
export function pageOf<T>(items: T[], request: PageRequest, rules: PageRules): Page<T> {
  let limit = rules.defaultLimit;
  if (request.limit !== undefined) {
    limit = Number(request.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > rules.maxLimit) {
      const constraint = limit < 1 ? 'Member must have value greater than or equal to 1' : `Member must have value less than or equal to ${rules.maxLimit}`;
      throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value '${request.limit}' at '${rules.limitName}' failed to satisfy constraint: ${constraint}`);
    }
  }
  const start = request.token === undefined ? 0 : decodePosition(request.token, rules);
  const slice = items.slice(start, start + limit);
  const end = start + slice.length;
  return end < items.length ? { items: slice, next: Buffer.from(String(end)).toString('base64url') } : { items: slice };
}

/** A filter as awsQuery carries it: `Filters.member.N.Name` with `Filters.member.N.Values.member.M`. */
export interface QueryFilter {
  name: string;
  values: string[];
}

/** Every `Filters.member.N` of the form, in order. */
export function queryFilters(form: URLSearchParams, prefix = 'Filters'): QueryFilter[] {
  const filters: QueryFilter[] = [];
  for (let i = 1; ; i++) {
    const name = form.get(`${prefix}.member.${i}.Name`);
    if (name === null) return filters;
    filters.push({ name, values: formList(form, `${prefix}.member.${i}.Values`) });
  }
}

/**
 * Whether a resource's tags pass the tag filters: `tag:<key>` (that key with one of the values),
 * `tag-key` (one of the keys) and `tag-value` (one of the values). Filters are ANDed, the values
 * of one filter ORed, as in AWS. Any other filter name is the caller's to apply (or refuse).
 */
export function matchesTagFilter(tags: Record<string, string>, filter: QueryFilter): boolean | undefined {
  const entries = Object.entries(tags);
  if (filter.name.startsWith('tag:')) {
    const key = filter.name.slice('tag:'.length);
    return key in tags && filter.values.includes(tags[key] ?? '');
  }
  if (filter.name === 'tag-key') return entries.some(([key]) => filter.values.includes(key));
  if (filter.name === 'tag-value') return entries.some(([, value]) => filter.values.includes(value));
  return undefined;
}
