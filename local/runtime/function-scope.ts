/**
 * Which Lambda function the code running now belongs to. In AWS each function has its own
 * process and its own credentials; locally every handler shares one process and one set of
 * ports, so the runtime marks each invocation (a Task state, the API, a listener) with its
 * function, and the ports pick that function's credentials (runtime/deps.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const running = new AsyncLocalStorage<string>();

/** Runs one invocation of `functionName`: everything it awaits or starts sees it as the current function. */
export function runAsFunction<T>(functionName: string, invocation: () => T): T {
  return running.run(functionName, invocation);
}

/** The function whose invocation is running, if any. */
export function currentFunction(): string | undefined {
  return running.getStore();
}
