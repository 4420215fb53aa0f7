/**
 * After a route answered 202: follow the operation to its end with progress (lines on a pipe, a
 * live view on a terminal), or say how to follow it later. Ctrl-C detaches; the operation goes on.
 */
import type { ApiClient } from '../client/api-client';
import { followOperation } from '../client/follow';
import type { AcceptedOperation } from '../client/types';
import { lineReporter, liveReporter, type ProgressReporter } from '../render/progress';
import { makeStyle, wantsColor } from '../render/style';
import type { CliIo, Stream } from './context';
import { say, type Format } from './output';

/** 128 + SIGINT, as a shell reports a command Ctrl-C stopped. */
export const DETACHED_EXIT_CODE = 130;

export interface WaitChoice {
  wait: boolean;
  output?: Format;
}

export async function startedOperation(io: CliIo, client: ApiClient, accepted: AcceptedOperation, choice: WaitChoice): Promise<number> {
  const data = choice.output === 'json' || choice.output === 'yaml';
  if (!choice.wait) {
    if (data) io.stdout.write(`${JSON.stringify(accepted, null, 2)}\n`);
    else say(io.stdout, 'info', `operation ${accepted.operationId} started on cluster "${accepted.cluster}"; follow it with: eksp watch ${accepted.operationId}`, io.now());
    return 0;
  }
  return watchOperation(io, client, accepted.operationId, choice.output);
}

export async function watchOperation(io: CliIo, client: ApiClient, id: string, output: Format | undefined): Promise<number> {
  const data = output === 'json' || output === 'yaml';
  // With -o json the data alone goes to stdout, for scripts; progress then goes to stderr.
  const progress: Stream = data ? io.stderr : io.stdout;
  const reporter = await reporterFor(io, progress);
  const abort = new AbortController();
  const stopListening = io.onInterrupt(() => abort.abort());
  try {
    const result = await followOperation(client, id, { intervalMs: io.pollIntervalMs, signal: abort.signal, onSnapshot: (op) => reporter.snapshot(op) });
    if (!result.ended) {
      reporter.finish(undefined);
      say(io.stderr, 'info', `detached from operation ${id}, which goes on; resume with: eksp watch ${id}`, io.now());
      return DETACHED_EXIT_CODE;
    }
    reporter.finish(result.operation);
    if (output === 'json') io.stdout.write(`${JSON.stringify(result.operation, null, 2)}\n`);
    if (output === 'yaml') io.stdout.write((await import('yaml')).stringify(result.operation));
    return result.operation.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    stopListening();
  }
}

async function reporterFor(io: CliIo, stream: Stream): Promise<ProgressReporter> {
  // A pseudo-terminal of no size (some CI runners allocate one) has no room for a live view.
  if (!stream.isTTY || stream.rows === 0) return lineReporter(stream, () => io.now());
  const style = makeStyle(wantsColor(stream, io.env));
  return liveReporter(await io.frameSink(stream), stream, style, () => io.now().getTime());
}
