/**
 * `MaxResults` / `NextToken` paging over an already filtered list, as the query services answer
 * it: the token is opaque to callers (the position, base64url), a bad one is InvalidNextToken, a
 * MaxResults out of the operation's bounds is InvalidParameterValue in EC2's wording.
 */
import { EmulatorError } from '../protocol';

export interface PageBounds {
  /** Smallest and largest MaxResults the operation accepts (EC2: mostly 5 and 1000). */
  min: number;
  max: number;
}

export const EC2_PAGE_BOUNDS: PageBounds = { min: 5, max: 1000 };

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function encodePageToken(position: number): string {
  return Buffer.from(String(position)).toString('base64url');
}

export function decodePageToken(token: string): number {
  const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(decoded) || decoded < 0) throw new EmulatorError(400, 'InvalidNextToken', 'The token provided is invalid or expired.');
  return decoded;
}

/** The page `MaxResults`/`NextToken` of the form select; all items from the token on when MaxResults is absent. */
export function pageOf<T>(form: URLSearchParams, items: T[], bounds: PageBounds = EC2_PAGE_BOUNDS): Page<T> {
  const maxResults = form.get('MaxResults');
  const token = form.get('NextToken');
  const start = token ? decodePageToken(token) : 0;
  if (maxResults === null) return { items: items.slice(start) };
  const size = Number(maxResults);
  if (!Number.isInteger(size) || size < bounds.min || size > bounds.max) {
    throw new EmulatorError(400, 'InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${bounds.min} and ${bounds.max}.`);
  }
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: encodePageToken(end) } : {}) };
}
