/**
 * A request's body, parsed as its Content-Type says (JSON, or YAML where the route reads it), or
 * the 400 that says what was expected and, for YAML, where it broke.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { parseDocument } from 'yaml';
import { isYamlContentType, MAX_JSON_DEPTH, valueNestsDeeperThan } from './limits';
import { problem } from './problem';
import type { ApiRequest } from './request';

/**
 * The YAML stream's aliases may expand to at most this many nodes: a few anchors in a
 * ClusterConfig are normal; a billion laughs is not.
 */
const MAX_YAML_ALIASES = 100;

export function parseBody(request: ApiRequest, expected: string): { value: unknown } | { rejected: APIGatewayProxyResult } {
  // The router admitted YAML only for routes that read it (admission.ts).
  if (isYamlContentType(request.contentType)) return parseYamlBody(request.body ?? '', expected);
  try {
    return { value: JSON.parse(request.body ?? '') };
  } catch {
    return { rejected: problem({ status: 400, title: 'Malformed request', detail: `the body must be ${expected}` }) };
  }
}

/**
 * One YAML 1.2 document (core schema: `yes` and `on` are strings, as in JSON). Every syntax error
 * is named with its line and column; duplicate keys are errors, as a JSON reader would lose one.
 */
function parseYamlBody(text: string, expected: string): { value: unknown } | { rejected: APIGatewayProxyResult } {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const errors = document.errors.map((error) => {
      const at = error.linePos?.[0];
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return { pointer: '', message: at ? `line ${at.line}, column ${at.col}: ${message}` : message, ...(at ? { line: at.line, column: at.col } : {}) };
    });
    return { rejected: problem({ status: 400, title: 'Malformed request', detail: `the body is not valid YAML (${errors.map((e) => e.message).join('; ')}); it must be ${expected}`, errors }) };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    // Excessive alias expansion, or an alias to nothing.
    return { rejected: problem({ status: 400, title: 'Malformed request', detail: `the body is not usable YAML (${(error as Error).message}); it must be ${expected}`, errors: [{ pointer: '', message: (error as Error).message }] }) };
  }
  // Block nesting has no brackets for the router's depth check to count.
  if (valueNestsDeeperThan(value, MAX_JSON_DEPTH)) {
    return { rejected: problem({ status: 400, title: 'Malformed request', detail: `the body nests lists and mappings more than ${MAX_JSON_DEPTH} deep`, errors: [{ pointer: '', message: `must nest at most ${MAX_JSON_DEPTH} levels deep` }] }) };
  }
  return { value };
}

/** A JSON object body (not an array, string or null), or the 400. */
export function parseObjectBody(request: ApiRequest, expected: string): { value: Record<string, unknown> } | { rejected: APIGatewayProxyResult } {
  const body = parseBody(request, expected);
  if ('rejected' in body) return body;
  if (!body.value || typeof body.value !== 'object' || Array.isArray(body.value)) return { rejected: problem({ status: 400, title: 'Malformed request', detail: `the body must be ${expected}` }) };
  return { value: body.value as Record<string, unknown> };
}
