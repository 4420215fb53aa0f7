/**
 * What both Elastic Load Balancing APIs (ELBv2, elbv2/, and Classic, elb/) share on the awsQuery
 * wire: Marker/PageSize paging, and validation errors naming a parameter by its model's
 * lowerCamel name.
 */
import { EmulatorError, formList, type XmlValue } from '../protocol';
import { pageOf, type PageRules } from '../query/member-lists';

/** Marker/PageSize paging, as both Elastic Load Balancing APIs (v2 and Classic) page. */
const PAGES: PageRules = {
  limitName: 'pageSize',
  defaultLimit: 400,
  maxLimit: 400,
  invalidToken: (token) => new EmulatorError(400, 'ValidationError', `Invalid Marker '${token}'`),
};

/** One page of `items` under `key`, with the NextMarker that asks for the next (both APIs). */
export function paged<T>(form: URLSearchParams, items: T[], key: string, shape: (item: T) => XmlValue): Record<string, XmlValue> {
  const page = pageOf(items, { token: form.get('Marker') ?? undefined, limit: form.get('PageSize') ?? undefined }, PAGES);
  return { [key]: page.items.map(shape), NextMarker: page.next };
}

/** Elastic Load Balancing names a parameter in its validation errors as its model does: lowerCamel. */
function lowerCamel(name: string): string {
  return `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
}

/** A required parameter, refused by its lowerCamel name as Elastic Load Balancing does. */
export function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value null at '${lowerCamel(name)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** What DescribeTags is asked about (both APIs): one to twenty of them. */
export function tagsAskedFor(form: URLSearchParams, name: string): string[] {
  const asked = formList(form, name);
  if (asked.length === 0) throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value null at '${lowerCamel(name)}' failed to satisfy constraint: Member must not be null`);
  if (asked.length > 20) throw new EmulatorError(400, 'ValidationError', `1 validation error detected: Value at '${lowerCamel(name)}' failed to satisfy constraint: Member must have length less than or equal to 20`);
  return asked;
}
