/**
 * The local AWS endpoint: one HTTP server on 127.0.0.1 that unchanged SDK clients reach through
 * AWS_ENDPOINT_URL. Requests are routed by protocol: X-Amz-Target for the awsJson services, the
 * SigV4 signing service for the others, /k8s/<cluster> for the per-cluster Kubernetes API and
 * /_local for the emulator's own controls (faults, events).
 *
 * The same port speaks HTTPS too: a connection whose first byte is a TLS handshake record goes to
 * an HTTPS server holding the local CA's certificate (certificates.ts), so each cluster's
 * endpoint is `https://127.0.0.1:<port>/k8s/<cluster>` as EKS's are HTTPS, while the AWS SDKs
 * keep `AWS_ENDPOINT_URL=http://127.0.0.1:<port>`. One port to configure, one to forward.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { EmulatorError, readRawBody, sendAwsJsonError, signingInfo, type SigningInfo } from './protocol';
import { World, type WorldOptions } from './world';
import { listenOnLoopback } from '../listen';
import { requestAccessKeyId, servingRequestOf } from './call-principals';
import { stsIdentities } from './services/sts';

/** The principal a request's key stands for (an expired session still names its session), for the call record. */
function callerOf(world: World, accessKeyId: string | undefined): string {
  return accessKeyId === undefined ? 'anonymous' : stsIdentities(world).identify(accessKeyId, 0).arn;
}

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
  /** http://127.0.0.1:<port>: the AWS endpoint. */
  url: string;
  port: number;
  world: World;
  server: Server;
  close(): Promise<void>;
}

/** The first byte of a TLS connection: a handshake record (ClientHello). */
const TLS_HANDSHAKE = 0x16;

/**
 * Hands each new connection on the listening server to the HTTPS server when it opens with a
 * TLS handshake; plain HTTP stays where it is. The HTTPS server's certificate is made on the
 * first TLS connection (most emulators never see one).
 */
function acceptTlsOnSamePort(server: Server, handler: RequestListener, world: World): { closeAllConnections(): void } {
  let secure: HttpsServer | undefined;
  const httpsServer = () => {
    if (secure) return secure;
    const { serverCertificate, serverKey } = world.certificates.get();
    secure = createHttpsServer({ cert: serverCertificate, key: serverKey }, handler);
    return secure;
  };
  // Replaces the default 'connection' handling: the first chunk decides who parses the stream.
  const plain = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  // The listening server counts these sockets until they close, and the HTTPS server's own
  // closeAllConnections does not end a kept-alive one's TCP socket: close() destroys them itself.
  const handedOver = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      if (first) socket.unshift(first);
      if (first?.[0] === TLS_HANDSHAKE) {
        handedOver.add(socket);
        socket.once('close', () => handedOver.delete(socket));
        httpsServer().emit('connection', socket);
      } else for (const listener of plain) listener.call(server, socket);
    });
  });
  return {
    closeAllConnections: () => {
      secure?.closeAllConnections();
      for (const socket of handedOver) socket.destroy();
    },
  };
}

/** Whether a request came over the TLS side of the port. */
export function overTls(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true;
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
  const handler: RequestListener = (req, res) => {
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
        await servingRequestOf(callerOf(world, requestAccessKeyId(req, signing)), () => service.handle({ req, res, url, body: rawBody.toString('utf8'), rawBody, signing, world }));
      } catch (error) {
        if (res.headersSent) return;
        const emulatorError = error instanceof EmulatorError ? error : new EmulatorError(500, 'InternalFailure', (error as Error).message);
        service.renderError(res, emulatorError);
      }
    })();
  };
  const server = createServer(handler);
  const secure = acceptTlsOnSamePort(server, handler, world);
  const port = await listenOnLoopback(server, options.port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    world,
    server,
    close: () =>
      new Promise((resolve) => {
        secure.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
