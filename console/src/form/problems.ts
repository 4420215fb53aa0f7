/**
 * The API's 4xx problems (RFC 9457, docs/api.md#errors) as inline errors: each `errors[]` entry
 * names a field by JSON pointer; it is shown at that field, or at the nearest enclosing field the
 * form has (a problem at `/managedNodeGroups/0/labels/team` shows at the labels field). What no
 * field can hold (the whole body `""`, a query parameter) stays at the top of the form.
 */

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ pointer: string; message: string }>;
  runningOperationId?: string;
}

export interface PlacedErrors {
  /** Field pointer → its messages. */
  byField: Record<string, string[]>;
  /** Messages for the form as a whole, with the pointer they named when it was not a field. */
  general: string[];
}

export function isProblem(body: unknown): body is Problem {
  return !!body && typeof body === 'object' && typeof (body as Problem).title === 'string' && typeof (body as Problem).status === 'number';
}

/** The nearest of `fields` that is `pointer` or contains it; undefined when none does. */
export function nearestField(pointer: string, fields: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const field of fields) {
    if (field === '') continue;
    const contains = pointer === field || pointer.startsWith(`${field}/`);
    if (contains && (best === undefined || field.length > best.length)) best = field;
  }
  return best;
}

export function placeErrors(problem: Problem, fields: readonly string[]): PlacedErrors {
  const placed: PlacedErrors = { byField: {}, general: [] };
  const errors = problem.errors ?? [];
  for (const { pointer, message } of errors) {
    const field = nearestField(pointer, fields);
    if (field === undefined) placed.general.push(pointer ? `${pointer}: ${message}` : message);
    else if (field === pointer) (placed.byField[field] ??= []).push(message);
    // Shown at an enclosing field: say which part of it is meant.
    else (placed.byField[field] ??= []).push(`${pointer.slice(field.length + 1)}: ${message}`);
  }
  if (!errors.length) placed.general.push(problemSummary(problem));
  return placed;
}

/** One line for a problem: "409 Cluster exists: the name demo is taken; choose another". */
export function problemSummary(problem: Problem): string {
  const head = [problem.status, problem.title].filter((p) => p !== undefined).join(' ');
  return problem.detail ? `${head}: ${problem.detail}` : head;
}
