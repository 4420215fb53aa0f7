/** RFC 9457 problem details: every API error is application/problem+json naming what to fix. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { SpecProblem } from '../shared/errors';

export interface Problem {
  status: number;
  title: string;
  detail: string;
  type?: string;
  errors?: SpecProblem[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://eks-provisioner.dev/problems/';

export function problem(p: Problem): APIGatewayProxyResult {
  const slug = p.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({ type: p.type ?? `${TYPE_BASE}${slug}`, ...p }),
  };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
