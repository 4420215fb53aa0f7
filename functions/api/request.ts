/** The parts of an API Gateway proxy event the routes use. The caller comes only from the IAM-authenticated request context. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { StepDeps } from '../shared/deps';

/** The ports the API uses: the registry, the workflows it starts, the events it announces, EKS for live state, expiry schedules. */
export type ApiDeps = StepDeps<'events' | 'registry' | 'workflows' | 'eks' | 'schedules'>;

export interface ApiRequest {
  method: string;
  path: string;
  body: string | null;
  /** The Content-Type header, as sent; the router reads only JSON bodies. */
  contentType?: string;
  query: Record<string, string | undefined>;
  idempotencyKey?: string;
  /** IAM ARN API Gateway authenticated (AWS_IAM); never a header the client could set. */
  caller: string;
  account: string;
  /** The service acting on its own behalf (a cluster's expiry, its unattended upgrade): allowed on every cluster. */
  system?: boolean;
}

export function toApiRequest(event: APIGatewayProxyEvent): ApiRequest | undefined {
  const caller = event.requestContext?.identity?.userArn;
  if (!caller) return undefined;
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    body,
    ...(headers['content-type'] !== undefined ? { contentType: headers['content-type'] } : {}),
    query: event.queryStringParameters ?? {},
    // An empty key is kept (and refused by the router), not taken for "no key".
    ...(headers['idempotency-key'] !== undefined ? { idempotencyKey: headers['idempotency-key'] } : {}),
    caller,
    account: event.requestContext.accountId,
  };
}
