/**
 * Where an operation's progress goes while the CLI waits: timestamped lines when the output is a
 * pipe or a file, a live view redrawn in place on a terminal.
 */
import type { Operation } from '../client/types';
import { LiveView } from './live-view';
import { changesBetween, logLine, outcome, type Level } from './log-lines';
import type { Style } from './style';

export interface ProgressReporter {
  snapshot(operation: Operation): void;
  /** The operation ended (its outcome is printed) or the wait was given up (`undefined`). */
  finish(operation: Operation | undefined): void;
}

export interface Output {
  write(text: string): void;
}

/** What redraws a frame in place (log-update on a real terminal, a recorder in tests). */
export interface FrameSink {
  render(frame: string): void;
  /** Keep the last frame on screen and continue below it. */
  done(): void;
}

export function lineReporter(out: Output, now: () => Date): ProgressReporter {
  let previous: Operation | undefined;
  return {
    snapshot(operation) {
      for (const event of changesBetween(previous, operation)) out.write(`${logLine(event.level, event.message, now())}\n`);
      previous = operation;
    },
    finish() {},
  };
}

export function liveReporter(sink: FrameSink, out: Output, style: Style, now: () => number): ProgressReporter {
  const view = new LiveView(style, now);
  let latest: Operation | undefined;
  // The spinner and elapsed times move between polls too.
  const ticker = setInterval(() => latest && sink.render(view.frame(latest)), 100);
  ticker.unref?.();
  return {
    snapshot(operation) {
      latest = operation;
      sink.render(view.frame(operation));
    },
    finish(operation) {
      clearInterval(ticker);
      if (latest) sink.render(view.frame(operation ?? latest));
      sink.done();
      if (operation) for (const event of outcome(operation)) out.write(`${decorate(event.level, style)} ${event.message}\n`);
    },
  };
}

function decorate(level: Level, style: Style): string {
  if (level === 'success') return style.green('✔');
  if (level === 'error') return style.red('✖');
  if (level === 'warning') return style.yellow('!');
  return 'ℹ';
}
