/**
 * log-update as a FrameSink. log-update ships ESM only, so it is imported when a terminal needs
 * it, never at start-up (and never under jest, whose CommonJS transform the rest of the CLI
 * takes).
 */
import type { FrameSink } from './progress';

export async function logUpdateSink(stream: NodeJS.WritableStream): Promise<FrameSink> {
  const { createLogUpdate } = await import('log-update');
  const update = createLogUpdate(stream, { showCursor: false });
  return { render: (frame) => update(frame), done: () => update.done() };
}
