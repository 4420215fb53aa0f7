/**
 * The AWS wire protocols the emulator speaks (shared REFERENCE "Wire protocols"): request parsing
 * and the success/error shapes each protocol's SDK deserializer expects. Every reply carries
 * x-amzn-requestid; nothing answers HTML.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SigningInfo {
  accessKeyId?: string;
  region?: string;
  /** The signing service name from the SigV4 credential scope: eks, cloudformation, ec2, sts, events, states, dynamodb. */
  service?: string;
}

/**
 * Reads the SigV4 credential scope `AKID/20261121/us-east-1/eks/aws4_request`: from the
 * Authorization header, or from X-Amz-Credential for presigned URLs (the STS URL inside a
 * Kubernetes token arrives that way).
 */
export function signingInfo(req: IncomingMessage): SigningInfo {
  const presigned = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('X-Amz-Credential');
  const scope = presigned ?? /Credential=([^,\s]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const match = /^([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request$/.exec(scope);
  return match ? { accessKeyId: match[1], region: match[2], service: match[3] } : {};
}

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRawBody(req)).toString('utf8');
}

/** The body as bytes (the Kubernetes API also takes protobuf bodies, which are not text). */
export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

// ── JSON protocols (awsJson1.0/1.1, restJson1) ────────────────────────────────────────────────

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  send(res, status, contentType, JSON.stringify(body ?? {}));
}

/** awsJson errors: `{"__type": "ns#Code", "message"}` (EventBridge, Step Functions, DynamoDB). */
export function sendAwsJsonError(res: ServerResponse, status: number, code: string, message: string, namespace = 'com.amazonaws.emulator'): void {
  send(res, status, 'application/x-amz-json-1.1', JSON.stringify({ __type: `${namespace}#${code}`, message }));
}

/** restJson1 errors: the code in x-amzn-errortype, the message in the body (EKS). */
export function sendRestJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, 'application/json', JSON.stringify({ message }), { 'x-amzn-errortype': code });
}

// ── Query protocols (awsQuery: CloudFormation, STS; ec2Query: EC2) ───────────────────────────

export function parseForm(body: string): URLSearchParams {
  return new URLSearchParams(body);
}

/** `Prefix.member.N` (awsQuery) or `Prefix.N` (ec2Query) lists from a form. */
export function formList(form: URLSearchParams, prefix: string, member = true): string[] {
  const values: string[] = [];
  for (let i = 1; ; i++) {
    const value = form.get(member ? `${prefix}.member.${i}` : `${prefix}.${i}`);
    if (value === null) return values;
    values.push(value);
  }
}

/** `Tags.member.N.Key` / `.Value` style structure lists. */
export function formStructList(form: URLSearchParams, prefix: string, fields: string[], member = true): Array<Record<string, string>> {
  const items: Array<Record<string, string>> = [];
  for (let i = 1; ; i++) {
    const base = member ? `${prefix}.member.${i}` : `${prefix}.${i}`;
    const item: Record<string, string> = {};
    for (const field of fields) {
      const value = form.get(`${base}.${field}`);
      if (value !== null) item[field] = value;
    }
    if (Object.keys(item).length === 0) return items;
    items.push(item);
  }
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export type XmlValue = string | number | boolean | Date | null | undefined | XmlValue[] | { [key: string]: XmlValue };

/** Serializes a value; arrays become repeated `<itemName>` children (member for awsQuery, item for ec2Query). */
export function toXml(value: XmlValue, itemName: string): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<${itemName}>${toXml(v, itemName)}</${itemName}>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v, itemName)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

/** `<XResponse xmlns=...><XResult>...</XResult><ResponseMetadata>...</ResponseMetadata></XResponse>` */
export function sendQueryResult(res: ServerResponse, action: string, namespace: string, result: Record<string, XmlValue>): void {
  const requestId = randomUUID();
  const body = `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${namespace}"><${action}Result>${toXml(result, 'member')}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  send(res, 200, 'text/xml', body);
}

export function sendQueryError(res: ServerResponse, status: number, code: string, message: string, type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender'): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  send(res, status, 'text/xml', body);
}

/** ec2Query: no Result wrapper, lowerCamel names, lists in `<item>`. */
export function sendEc2Result(res: ServerResponse, action: string, result: Record<string, XmlValue>): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId>${toXml(result, 'item')}</${action}Response>`;
  send(res, 200, 'text/xml;charset=UTF-8', body);
}

export function sendEc2Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
  send(res, status, 'text/xml;charset=UTF-8', body);
}

/** An error a service handler throws; the server renders it in the service's protocol. */
export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EmulatorError';
  }
}
