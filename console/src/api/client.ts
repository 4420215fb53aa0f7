/**
 * The REST API (docs/api.md) from the browser. The base URL is a setting: empty means the origin
 * the console is served from (local mode serves both); set it to a deployed API's URL to use the
 * console there (requests must then be signed by a proxy in front: the browser does not sign).
 */
import { isProblem, type Problem } from '../form/problems';

const BASE_KEY = 'eksp-console.apiBase';

export function apiBase(): string {
  return (localStorage.getItem(BASE_KEY) ?? '').replace(/\/+$/, '');
}

export function setApiBase(url: string): void {
  if (url.trim()) localStorage.setItem(BASE_KEY, url.trim());
  else localStorage.removeItem(BASE_KEY);
}

/** A 4xx/5xx answer: the problem the API gave, or one made from the status when it gave none. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : (problem.title ?? 'request failed'));
  }
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiBase()}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiProblem({ title: 'API unreachable', detail: `${apiBase() || location.origin}: ${(error as Error).message}` });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's HTML error page, say): the problem is made from the status below.
  }
  if (!response.ok) throw new ApiProblem(isProblem(parsed) ? parsed : { status: response.status, title: response.statusText || 'Error', detail: text.slice(0, 200) });
  return parsed as T;
}

export const enc = encodeURIComponent;
