/** -o table|json|yaml, the way kubectl and eksctl print what they read. */
import { Option } from 'commander';
import { stringify } from 'yaml';
import type { Stream } from './context';
import { logLine, type Level } from '../render/log-lines';

export type Format = 'table' | 'json' | 'yaml';

export function outputOption(defaultFormat: Format = 'table'): Option {
  return new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default(defaultFormat);
}

export function printData(out: Stream, format: Format, data: unknown, asTable: () => string): void {
  if (format === 'json') out.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (format === 'yaml') out.write(stringify(data));
  else out.write(asTable());
}

/** An eksctl-style log line on stderr's side of things (messages, not data). */
export function say(out: Stream, level: Level, message: string, now: Date): void {
  out.write(`${logLine(level, message, now)}\n`);
}
