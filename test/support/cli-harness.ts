/**
 * Running the eksp CLI in-process: recording streams (a pipe, or a fake TTY), a fixed clock,
 * a Ctrl-C the test presses, and frames a fake live-view sink receives.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliIo } from '../../cli/commands/context';
import type { FrameSink } from '../../cli/render/progress';
import { run } from '../../cli/main';

export class RecordingStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  get lines(): string[] {
    return this.text.split('\n').filter((l) => l.length > 0);
  }
}

export interface FakeIo extends CliIo {
  stdout: RecordingStream;
  stderr: RecordingStream;
  frames: string[];
  sinkDone: boolean;
  interrupt(): void;
  /** The waits the client asked for before its retries (none is really waited). */
  sleeps: number[];
}

export function fakeIo(options: { env?: NodeJS.ProcessEnv; tty?: boolean; now?: () => Date } = {}): FakeIo {
  const handlers = new Set<() => void>();
  const io: FakeIo = {
    stdout: new RecordingStream(options.tty ?? false),
    stderr: new RecordingStream(false),
    env: options.env ?? {},
    now: options.now ?? (() => new Date(2026, 11, 4, 2, 10, 11)),
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    pollIntervalMs: 5,
    frames: [],
    sinkDone: false,
    frameSink: async (): Promise<FrameSink> => ({ render: (frame) => io.frames.push(frame), done: () => (io.sinkDone = true) }),
    interrupt: () => [...handlers].forEach((h) => h()),
    sleeps: [],
    retry: { sleep: async (ms) => void io.sleeps.push(ms) },
  };
  return io;
}

export function eksp(io: CliIo, ...argv: string[]): Promise<number> {
  return run(argv, io);
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An answer, or `hangUp`: the connection is closed with no answer (as a reset or a crash would). */
export type Answer = { status: number; body?: unknown; contentType?: string; headers?: Record<string, string> } | { hangUp: true };
export type Responder = (request: RecordedRequest) => Answer | undefined;

/** An HTTP server on 127.0.0.1:0 that records every request and answers from the test's responder. */
export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  private server!: Server;
  url = '';

  constructor(private readonly respond: Responder) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The requests other than the polls of GET /operations/{id}. */
  get calls(): RecordedRequest[] {
    return this.requests.filter((r) => !(r.method === 'GET' && r.path.startsWith('/operations/')));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const recorded = { method: req.method!, path: req.url!, headers: req.headers, body };
      this.requests.push(recorded);
      const answer = this.respond(recorded) ?? { status: 404, body: { title: 'Not found', status: 404, detail: `no route ${req.method} ${req.url}` }, contentType: 'application/problem+json' };
      if ('hangUp' in answer) {
        req.socket.destroy();
        return;
      }
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json', ...answer.headers });
      res.end(text);
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
