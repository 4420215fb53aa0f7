/**
 * EventBridge Scheduler (restJson1, signing service `scheduler`): schedule groups and schedules
 * on the REST paths @aws-sdk/client-scheduler uses, validated as AWS validates them, kept in
 * world.scheduler, and fired at emulated time.
 *
 * Firing: a schedule fires when the emulated clock (clock.ts) reaches its time, so a one-time
 * `at(...)` schedule waits (at − clock.now()) × timeScale of real time: at 0.001, a 72-hour ttl
 * fires about 4.3 real minutes after it is made. An `at` time already past fires at once.
 * `rate(...)` schedules fire from StartDate (default: when created) every interval until EndDate;
 * `cron(...)` expressions are validated and stored but never fire. A firing invokes the target:
 *   - a Lambda function registered in world.functions gets JSON.parse(Target.Input), invoked
 *     asynchronously as Scheduler does (InvocationType Event);
 *   - an event bus with EventBridgeParameters {DetailType, Source} gets a PutEvents of Input as
 *     the detail, with the schedule's ARN in `resources`;
 *   - a Step Functions state machine gets StartExecution with Input.
 * Input may use the context attributes <aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
 * <aws.scheduler.execution-id> and <aws.scheduler.attempt-number>. Each firing is recorded in
 * world.scheduler.firings (GET /_local/schedules); ActionAfterCompletion DELETE removes a schedule
 * after its last invocation.
 *
 * Differences from AWS, on purpose: no 60-second invocation jitter and no flexible-window
 * spread (a schedule fires at its exact time, so runs are reproducible); a failed target call is
 * recorded and reported, not retried per RetryPolicy, and never sent to a dead-letter queue.
 *
 * state.ts has the lookups over world.scheduler, expressions.ts the at/rate/cron expressions,
 * validation.ts the request checks, firing.ts the timers, targets.ts the target calls, api.ts
 * the REST routes; the route matching and fault statuses are the shared ../../json ones.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { checkRestJsonFaults, findRoute } from '../../json';
import { EmulatorError, sendJson } from '../../protocol';
import type { RequestContext, ServiceModule } from '../../server';
import type { World } from '../../world';
import { routes } from './api';
import { arm, type SchedulerRuntime } from './firing';
import { createGroup, DEFAULT_GROUP } from './state';
import { asBody, type Body } from './validation';

export { parseScheduleExpression, type ParsedExpression } from './expressions';
export { DEFAULT_GROUP } from './state';

export interface SchedulerOptions {
  /** Where failed target invocations are reported (default console.warn). */
  warn?: (message: string) => void;
}

export interface SchedulerService extends ServiceModule {
  /** Cancels every pending firing (the schedules stay in world.scheduler). */
  stop(): void;
  /** Arms every schedule already in world.scheduler (a world restored from a data dir). */
  resume(): void;
}

export function createSchedulerService(world: World, options: SchedulerOptions = {}): SchedulerService {
  const state = world.scheduler;
  if (!state.groups.has(DEFAULT_GROUP)) createGroup(world, state, DEFAULT_GROUP);
  const runtime: SchedulerRuntime = { world, state, timers: new Map(), warn: options.warn ?? ((message) => console.warn(`[scheduler] ${message}`)) };
  const table = routes(runtime);
  return {
    name: 'scheduler',
    async handle(ctx: RequestContext): Promise<void> {
      const method = (ctx.req.method ?? 'GET').toUpperCase();
      const found = findRoute(table, method, ctx.url.pathname);
      if (!found) throw new EmulatorError(404, 'UnknownOperationException', `The local EventBridge Scheduler does not implement ${method} ${ctx.url.pathname}`);
      world.calls.push(`scheduler:${found.route.operation}`);
      checkRestJsonFaults(world, 'scheduler', found.route.operation, { throttleCode: 'ThrottlingException', serverErrorCode: 'InternalServerException' });
      let body: Body = {};
      if (ctx.body.trim()) {
        try {
          body = asBody(JSON.parse(ctx.body));
        } catch {
          throw new EmulatorError(400, 'ValidationException', 'The request body is not valid JSON.');
        }
      }
      sendJson(ctx.res, 200, found.route.run({ params: found.params, query: ctx.url.searchParams, body }));
    },
    renderError(res: ServerResponse, error: EmulatorError): void {
      const code = error.code === 'InternalFailure' ? 'InternalServerException' : error.code;
      // Scheduler's error shapes carry `Message` (EKS's carry `message`).
      const body = JSON.stringify({ Message: error.message });
      res.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': code, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    stop(): void {
      for (const timer of runtime.timers.values()) clearTimeout(timer);
      runtime.timers.clear();
    },
    resume(): void {
      for (const schedule of state.schedules.values()) arm(runtime, schedule);
    },
  };
}
