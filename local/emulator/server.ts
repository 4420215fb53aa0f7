/**
 * The local AWS endpoint: one HTTP server on 127.0.0.1 that unchanged SDK clients reach through
 * AWS_ENDPOINT_URL. Requests are routed by protocol: X-Amz-Target for the awsJson services, the
 * SigV4 signing service for the others, /k8s/<cluster> for the per-cluster Kubernetes API and
 * /_local for the emulator's own controls (faults, events).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EmulatorError, readRawBody, sendAwsJsonError, signingInfo, type SigningInfo } from './protocol';
import { World, type WorldOptions } from './world';
import { listenOnLoopback } from '../listen';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: string;
  /** The same body as bytes, for binary encodings (Kubernetes protobuf); absent when a caller builds the context by hand. */
  rawBody?: Buffer;
  signing: SigningInfo;
  world: World;
}

export interface ServiceModule {
  /** Signing name (eks, cloudformation, ec2, sts, events, states, dynamodb) or a local name. */
  name: string;
  handle(ctx: RequestContext): Promise<void>;
  /** Renders an EmulatorError in the service's own protocol. */
  renderError(res: ServerResponse, error: EmulatorError): void;
}

export interface EmulatorOptions extends WorldOptions {
  port?: number;
  services: ServiceModule[];
}

export interface RunningEmulator {
  url: string;
  port: number;
  world: World;
  server: Server;
  close(): Promise<void>;
}

const TARGET_SERVICES: Array<[prefix: string, service: string]> = [
  ['DynamoDB_20120810.', 'dynamodb'],
  ['AWSEvents.', 'events'],
  ['AWSStepFunctions.', 'states'],
];

function routeName(req: IncomingMessage, url: URL, signing: SigningInfo): string | undefined {
  if (url.pathname.startsWith('/_local/')) return 'local';
  if (url.pathname.startsWith('/k8s/')) return 'kubernetes';
  const target = String(req.headers['x-amz-target'] ?? '');
  const byTarget = TARGET_SERVICES.find(([prefix]) => target.startsWith(prefix));
  if (byTarget) return byTarget[1];
  return signing.service;
}

export async function startEmulator(options: EmulatorOptions, world = new World(options)): Promise<RunningEmulator> {
  const services = new Map(options.services.map((s) => [s.name, s]));
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const signing = signingInfo(req);
      const service = services.get(routeName(req, url, signing) ?? '');
      if (!service) {
        sendAwsJsonError(res, 400, 'UnknownServiceException', `the local AWS endpoint does not emulate ${signing.service ?? req.headers['x-amz-target'] ?? url.pathname}`);
        return;
      }
      try {
        const rawBody = await readRawBody(req);
        await service.handle({ req, res, url, body: rawBody.toString('utf8'), rawBody, signing, world });
      } catch (error) {
        if (res.headersSent) return;
        const emulatorError = error instanceof EmulatorError ? error : new EmulatorError(500, 'InternalFailure', (error as Error).message);
        service.renderError(res, emulatorError);
      }
    })();
  });
  const port = await listenOnLoopback(server, options.port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    world,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
