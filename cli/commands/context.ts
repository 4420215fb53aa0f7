/** What every command is given: the process's streams and environment (fakes in tests), and the API client. */
import type { Command, OptionValues } from 'commander';
import { ApiClient } from '../client/api-client';
import { resolveEndpoint } from '../client/endpoint';
import type { RetryNotice, RetryPolicy } from '../client/retry';
import { logLine } from '../render/log-lines';
import type { FrameSink } from '../render/progress';

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  rows?: number;
}

export interface CliIo {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  now(): Date;
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** How often an operation is polled while waiting. */
  pollIntervalMs: number;
  /** The live view's renderer on a terminal (log-update in the real CLI). */
  frameSink(stream: Stream): Promise<FrameSink>;
  lookUpStackUrl?: (stack: string, region: string | undefined) => Promise<string>;
  /** The client's retries of 429, 503 and unanswered requests (tests: no real waiting); default the client's. */
  retry?: Partial<RetryPolicy>;
}

export interface GlobalOptions {
  endpoint?: string;
  stack?: string;
  region?: string;
}

export class CommandContext {
  exitCode = 0;

  constructor(readonly io: CliIo) {}

  async client(command: Command): Promise<ApiClient> {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const resolved = await resolveEndpoint({ endpoint: globals.endpoint, stack: globals.stack, region: globals.region, env: this.io.env }, this.io.lookUpStackUrl);
    return new ApiClient({
      baseUrl: resolved.baseUrl,
      ...(resolved.signer ? { signer: resolved.signer } : {}),
      ...(this.io.retry ? { retry: this.io.retry } : {}),
      onRetry: (notice) => this.io.stderr.write(`${logLine('warning', retryMessage(notice), this.io.now())}\n`),
    });
  }
}

/** Registers an action whose result is the process's exit code. */
export function act<O extends OptionValues>(ctx: CommandContext, run: (options: O, command: Command, args: string[]) => Promise<number>) {
  return async function (this: Command, ...params: unknown[]): Promise<void> {
    const command = params.at(-1) as Command;
    const options = command.opts<O>();
    ctx.exitCode = await run(options, command, command.args);
  };
}

/** A command used wrongly (as commander's own errors): exit 1 with the message, nothing asked of the API. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Said on stderr before each retry, so a slow command says why it is slow. */
export function retryMessage(notice: RetryNotice): string {
  return `${notice.method} ${notice.path}: ${notice.reason}; retrying in ${(notice.delayMs / 1000).toFixed(1)}s (attempt ${notice.attempt} of ${notice.attempts})`;
}
