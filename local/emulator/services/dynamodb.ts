/**
 * DynamoDB (awsJson1.0, `X-Amz-Target: DynamoDB_20120810.X`) from dynalite: the request goes
 * through unchanged (method, path, headers, body) and dynalite's answer streams back, so the SDK
 * sees dynalite's own validation, conditional-check and error shapes. The emulator only counts
 * the call and applies injected faults first, as for every other service.
 *
 * dynalite 4 implements the table and item operations (conditional writes, GSIs, batch writes);
 * it has no TransactWriteItems, TTL or PartiQL — those answer its UnknownOperationException.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTargetedCall, sendAwsJsonError } from '../json';
import { EmulatorError } from '../protocol';
import type { RequestContext, ServiceModule } from '../server';
import type { World } from '../world';

const NAMESPACE = 'com.amazonaws.dynamodb.v20120810';
const TARGET = { name: 'dynamodb', targetPrefix: 'DynamoDB_20120810.' };

/** Connection-scoped headers a proxy must not forward (RFC 9110 §7.6.1), plus the ones it recomputes. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

export function createDynamoDbService(world: World, dynaliteUrl: string): ServiceModule {
  const upstream = new URL(dynaliteUrl);
  const agent = new Agent({ keepAlive: true });

  return {
    name: 'dynamodb',
    handle(ctx: RequestContext): Promise<void> {
      // dynalite answers unknown operations and bad bodies itself, in its own words.
      countTargetedCall(TARGET, world, ctx);

      const body = Buffer.from(ctx.body, 'utf8');
      const headers = { ...forwardable(ctx.req.headers), host: upstream.host, 'content-length': String(body.length) };
      return new Promise<void>((resolve, reject) => {
        const proxied = request(
          { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: ctx.req.method, path: `${ctx.url.pathname}${ctx.url.search}`, headers, agent },
          (answer) => {
            const answerHeaders = forwardable(answer.headers);
            if (answer.headers['content-length'] !== undefined) answerHeaders['content-length'] = answer.headers['content-length'];
            if (!Object.keys(answerHeaders).some((h) => h.toLowerCase() === 'x-amzn-requestid')) answerHeaders['x-amzn-requestid'] = randomUUID();
            ctx.res.writeHead(answer.statusCode ?? 502, answerHeaders);
            answer.pipe(ctx.res);
            answer.on('end', resolve);
            answer.on('error', (error) => {
              ctx.res.destroy(error);
              resolve();
            });
          },
        );
        proxied.on('error', (error) => reject(new EmulatorError(500, 'InternalServerError', `the local DynamoDB (dynalite at ${upstream.origin}) did not answer: ${error.message}`)));
        proxied.end(body);
      });
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      sendAwsJsonError(res, 'awsJson1.0', NAMESPACE, error);
    },
  };
}

export interface RunningDynalite {
  url: string;
  close(): Promise<void>;
}

export interface DynaliteOptions {
  /** LevelDB directory to persist to; in memory when absent. */
  path?: string;
}

/** Starts dynalite on 127.0.0.1 on a free port, tables ACTIVE at once. */
export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  // dynalite ships CommonJS without types.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error?: Error) => (error ? reject(error) : resolve()));
      }),
  };
}
