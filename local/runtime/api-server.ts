/**
 * The REST API on 127.0.0.1, as API Gateway would serve it: each HTTP request becomes a REST API
 * proxy event for the unchanged API handler, and its result is written back.
 *
 * API Gateway (AWS_IAM auth) puts the SigV4-authenticated caller in requestContext.identity. Here
 * nothing is signed, so the caller is a local principal, or the IAM ARN in the `x-eksp-caller`
 * header: a local-mode-only stand-in for "signed as someone else". The adapter moves it into the
 * request context and strips the header; the handlers only ever read the request context, so a
 * deployed API ignores the header (test/unit/api: "never takes the caller from a header").
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { GATEWAY_LIMITS } from '../../functions/api/limits';
import { lambdaContext } from './state-machine-runner';
import { listenOnLoopback } from '../listen';
import type { ConsoleFiles } from '../../console/build';

export const LOCAL_CALLER = 'arn:aws:iam::000000000000:user/local-developer';
export const CALLER_HEADER = 'x-eksp-caller';

/** IAM users and roles, and STS assumed-role sessions (what API Gateway reports for roles). */
const IAM_ARN = /^arn:aws[a-z-]*:(?:iam::(\d{12}):(?:user|role)\/[\w+=,.@/-]+|sts::(\d{12}):assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/;

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult | void>;

export interface ApiServerOptions {
  port?: number;
  handler: ApiHandler;
  /** The principal when no x-eksp-caller header is given. */
  defaultCaller?: string;
  stage?: string;
  /** One line per request (method, path, status, caller) when given. */
  log?: (line: string) => void;
  /**
   * The web console's files (console/build.ts), served for GET and HEAD of `/` and `/console/*`:
   * paths no API route has, so every API route answers as before. Called on each such request
   * (the caller memoises the build).
   */
  consoleFiles?: () => Promise<ConsoleFiles>;
}

export interface RunningApi {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * The body, or undefined once it passes API Gateway's payload limit: reading stops there, without
 * destroying the socket, so the 413 can still be written (then the connection closes).
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GATEWAY_LIMITS.maxPayloadBytes) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function problemBody(status: number, title: string, detail: string): string {
  return JSON.stringify({ type: 'about:blank', title, status, detail });
}

function problem(res: ServerResponse, status: number, title: string, detail: string, close = false): void {
  const body = problemBody(status, title, detail);
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), ...(close ? { connection: 'close' } : {}) });
  res.end(body);
}

/**
 * What API Gateway refuses before the integration: a request line and headers above its limit
 * (414 when the URL alone is too long, as a long query string is; 431 otherwise) and a payload
 * above 10 MB (413). Node itself would reset such a connection or buffer without bound.
 */
function gatewayRefusal(req: IncomingMessage): { status: number; title: string; detail: string } | undefined {
  const limit = GATEWAY_LIMITS.maxRequestLineAndHeadersBytes;
  const url = Buffer.byteLength(req.url ?? '');
  if (url > limit) return { status: 414, title: 'URI too long', detail: `the request line must be at most ${limit} bytes (the URL is ${url})` };
  const headers = req.rawHeaders.reduce((sum, part) => sum + Buffer.byteLength(part) + 2, url);
  if (headers > limit) return { status: 431, title: 'Request header fields too large', detail: `the request line and headers must be at most ${limit} bytes together (got ${headers})` };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > GATEWAY_LIMITS.maxPayloadBytes) return { status: 413, title: 'Payload too large', detail: `the payload must be at most ${GATEWAY_LIMITS.maxPayloadBytes} bytes` };
  return undefined;
}

/**
 * Node parses request lines and headers up to this size; past the gateway's limit the adapter
 * answers 414/431 itself, and only beyond this does Node's parser give up (answered 431 below).
 */
const PARSER_HEADER_BYTES = 1024 * 1024;

/** The REST API (v1) proxy event API Gateway sends a Lambda proxy integration. */
export function toProxyEvent(req: IncomingMessage, body: string, caller: string, stage: string): APIGatewayProxyEvent {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    if (name.toLowerCase() === CALLER_HEADER) continue;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    (multiQuery[key] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const account = IAM_ARN.exec(caller)?.slice(1).find(Boolean) ?? '000000000000';
  const now = new Date();
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: (req.method ?? 'GET').toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: { proxy: url.pathname.replace(/^\//, '') },
    stageVariables: null,
    body: body.length ? body : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: account,
      apiId: 'local',
      authorizer: null,
      domainName: req.headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      extendedRequestId: randomUUID(),
      httpMethod: (req.method ?? 'GET').toUpperCase(),
      path: `/${stage}${url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId: randomUUID(),
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
      stage,
      identity: {
        accessKey: null,
        accountId: account,
        apiKey: null,
        apiKeyId: null,
        caller,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: caller,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: caller,
      },
    },
  };
}

/** Writes a proxy result back as API Gateway does (single and multi-value headers merged). */
function writeResult(res: ServerResponse, result: APIGatewayProxyResult | void): void {
  if (!result) {
    problem(res, 502, 'Bad gateway', 'the handler returned no response');
    return;
  }
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name.toLowerCase()] = values.map(String);
  headers['content-length'] = String(body.length);
  headers['x-amzn-requestid'] ??= randomUUID();
  res.writeHead(result.statusCode, headers);
  res.end(body);
}

/** Whether the request is for the console (`/`, `/console/…`) rather than the API. */
function isConsolePath(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  return path === '/' || path === '/console' || path.startsWith('/console/');
}

async function serveConsole(req: IncomingMessage, res: ServerResponse, files: () => Promise<ConsoleFiles>): Promise<number> {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const file = (await files()).get(path === '/console' || path === '/console/' ? '/' : path);
  if (!file) {
    problem(res, 404, 'Not found', `the console has no file ${path}`);
    return 404;
  }
  // no-cache: a restarted local mode may serve a newer build under the same names.
  res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length, 'cache-control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : file.body);
  return 200;
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningApi> {
  const defaultCaller = options.defaultCaller ?? LOCAL_CALLER;
  const stage = options.stage ?? 'local';
  const server = createServer({ maxHeaderSize: PARSER_HEADER_BYTES }, (req, res) => {
    void (async () => {
      try {
        const refusal = gatewayRefusal(req);
        if (refusal) {
          // The rest of the request is not read: the connection closes after the answer.
          problem(res, refusal.status, refusal.title, refusal.detail, true);
          options.log?.(`${req.method} ${(req.url ?? '').slice(0, 80)}… → ${refusal.status}`);
          return;
        }
        if (options.consoleFiles && isConsolePath(req)) {
          const status = await serveConsole(req, res, options.consoleFiles);
          options.log?.(`${req.method} ${req.url} → ${status} (console)`);
          return;
        }
        const override = req.headers[CALLER_HEADER];
        const caller = (Array.isArray(override) ? override[0] : override)?.trim() || defaultCaller;
        if (!IAM_ARN.test(caller)) {
          problem(res, 400, 'Invalid caller', `${CALLER_HEADER} must be an IAM user or role ARN (or an STS assumed-role ARN), got "${caller}"`);
          return;
        }
        const body = await readBody(req);
        if (body === undefined) {
          problem(res, 413, 'Payload too large', `the payload must be at most ${GATEWAY_LIMITS.maxPayloadBytes} bytes`, true);
          return;
        }
        const result = await options.handler(toProxyEvent(req, body, caller, stage), lambdaContext('eksp-api'));
        writeResult(res, result);
        options.log?.(`${req.method} ${req.url} → ${result ? result.statusCode : 502} (${caller})`);
      } catch (error) {
        // What API Gateway answers when the integration fails.
        if (!res.headersSent) problem(res, 502, 'Bad gateway', `the API handler failed: ${(error as Error).message}`);
        options.log?.(`${req.method} ${req.url} → 502: ${(error as Error).message}`);
      }
    })();
  });
  // A request Node cannot parse (headers beyond even its limit, a malformed request line) gets an
  // answer before the socket closes, not a reset.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, title] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request header fields too large'] : [400, 'Bad request'];
    const body = problemBody(status, title, error.code === 'HPE_HEADER_OVERFLOW' ? `the request line and headers must be at most ${GATEWAY_LIMITS.maxRequestLineAndHeadersBytes} bytes together` : 'the request could not be parsed as HTTP/1.1');
    socket.end(`HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  const port = await listenOnLoopback(server, options.port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
