/**
 * An operation's progress in the task log: the same lines `eksp` prints on a pipe (phase changes,
 * each step on each resource started and ended, the outcome with the root cause), one logger call
 * per line so Backstage shows them as they come.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Operation } from '../../../cli/client';
import { changesBetween, type Level } from '../../../cli/render/log-lines';

const LOG: Record<Level, keyof Pick<LoggerService, 'info' | 'warn' | 'error'>> = { info: 'info', success: 'info', warning: 'warn', error: 'error' };

/** Returns the function to give each snapshot of the operation, in order. */
export function operationLogger(logger: LoggerService): (operation: Operation) => void {
  let previous: Operation | undefined;
  return (operation) => {
    for (const event of changesBetween(previous, operation)) logger[LOG[event.level]](event.message);
    previous = operation;
  };
}
