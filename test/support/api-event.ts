/** API Gateway proxy events as the REST API hands them to the API function, for route tests. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiDeps } from '../../functions/api/request';

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

/** The deps with every port call recorded, to show a refused request reached none of them. */
export function watched(deps: ApiDeps): { deps: ApiDeps; touched: string[] } {
  const touched: string[] = [];
  const wrap = <T extends object>(name: string, port: T): T =>
    new Proxy(port, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          touched.push(`${name}.${String(property)}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return { deps: { ...deps, registry: wrap('registry', deps.registry), eks: wrap('eks', deps.eks), workflows: wrap('workflows', deps.workflows), events: wrap('events', deps.events), schedules: wrap('schedules', deps.schedules) }, touched };
}
