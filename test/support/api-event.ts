/** API Gateway proxy events as the REST API hands them to the API function, for route tests. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export const OWNER = 'arn:aws:sts::111122223333:assumed-role/platform-portal/session-1';
export const ADMIN = 'arn:aws:sts::111122223333:assumed-role/platform-admin/oncall';
export const STRANGER = 'arn:aws:iam::111122223333:user/someone-else';

export interface EventOptions {
  body?: unknown;
  /** The SigV4 caller; null for an unsigned request. Default OWNER. */
  caller?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Sent with a body; default application/json (as any JSON client does), null for none. */
  contentType?: string | null;
}

export function apiEvent(method: string, path: string, options: EventOptions = {}): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    body: options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    headers: {
      ...(options.body !== undefined && options.contentType !== null ? { 'Content-Type': options.contentType ?? 'application/json' } : {}),
      ...options.headers,
    },
    queryStringParameters: options.query ?? null,
    isBase64Encoded: false,
    requestContext: { accountId: '111122223333', identity: { userArn: options.caller === undefined ? OWNER : options.caller } },
  } as unknown as APIGatewayProxyEvent;
}

export const responseBody = (response: { body: string }) => JSON.parse(response.body);
