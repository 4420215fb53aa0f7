import type { Problem } from './types';

/** The API answered with an error: the problem it gave (or one made from API Gateway's own `{message}`). */
export class ApiProblemError extends Error {
  override readonly name = 'ApiProblemError';

  constructor(
    readonly problem: Problem,
    readonly request: { method: string; path: string },
    /** How many times the request was sent (more than 1: the client retried, then gave up). */
    readonly attempts = 1,
  ) {
    super(describeProblem(problem));
  }

  get status(): number {
    return this.problem.status;
  }
}

/** The API could not be reached at all (refused, DNS, TLS): nothing was asked of the service. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';

  constructor(
    readonly endpoint: string,
    options: { cause: unknown },
    /** How many times the request was sent (more than 1: the client retried, then gave up). */
    readonly attempts = 1,
  ) {
    super(`cannot reach the eks-provisioner API at ${endpoint}: ${causeText(options.cause)}`, options);
  }
}

/** The title, the detail, and each field error on a line of its own, so one reading fixes everything. */
export function describeProblem(problem: Problem): string {
  const head = problem.detail ? `${problem.title}: ${problem.detail}` : problem.title;
  const fields = (problem.errors ?? []).map((e) => `\n  ${e.pointer || '(body)'}: ${e.message}`);
  return `${head}${fields.join('')}`;
}

export function causeText(cause: unknown): string {
  // Duck-typed: errors from another realm (a test runner's sandbox) are not `instanceof Error`.
  const message = (value: unknown) => (typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' ? (value as Error).message : undefined);
  // fetch wraps the socket error: "fetch failed" says nothing, its cause says ECONNREFUSED.
  const inner = message((cause as { cause?: unknown } | undefined)?.cause);
  const outer = message(cause) ?? String(cause);
  return inner ? `${outer} (${inner})` : outer;
}
