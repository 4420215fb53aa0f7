/**
 * A firing's call to the schedule's target, as Scheduler makes it: a Lambda function invoked
 * asynchronously, a PutEvents on an event bus, or a Step Functions execution, with the Input's
 * <aws.scheduler.*> context attributes filled in. A call that fails is recorded on the firing
 * and reported, never retried.
 */
import { randomUUID } from 'node:crypto';
import { FunctionNotFoundError } from '../../functions';
import type { Schedule, ScheduleFiring, World } from '../../world';
import { publishEvent } from '../eventbridge';
import { asBody, EVENT_BUS_ARN, LAMBDA_ARN, STATE_MACHINE_ARN } from './validation';

function contextInput(input: string, schedule: Schedule, scheduledTime: Date, executionId: string): string {
  const values: Record<string, string> = {
    'aws.scheduler.schedule-arn': schedule.arn,
    'aws.scheduler.scheduled-time': scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws.scheduler.execution-id': executionId,
    'aws.scheduler.attempt-number': '1',
  };
  return input.replace(/<(aws\.scheduler\.[a-z-]+)>/g, (whole, name: string) => values[name] ?? whole);
}

export function invokeTarget(world: World, warn: (message: string) => void, schedule: Schedule, scheduledTime: Date, firing: ScheduleFiring): void {
  const target = schedule.target;
  const executionId = randomUUID();
  const input = target.Input === undefined ? undefined : contextInput(target.Input, schedule, scheduledTime, executionId);
  const bus = EVENT_BUS_ARN.exec(target.Arn);
  try {
    if (LAMBDA_ARN.test(target.Arn)) {
      firing.invocationId = world.functions.invokeAsync(target.Arn, input === undefined ? {} : JSON.parse(input), { source: 'scheduler', trigger: schedule.arn }).requestId;
    } else if (bus) {
      const parameters = asBody(target.EventBridgeParameters);
      const event = publishEvent(world, { bus: bus[1]!, source: String(parameters.Source), detailType: String(parameters.DetailType), detail: input === undefined ? {} : JSON.parse(input), resources: [schedule.arn] });
      firing.invocationId = event.id;
    } else if (STATE_MACHINE_ARN.test(target.Arn)) {
      if (!world.executions) throw new Error('no Step Functions runtime is attached to the local emulator (world.executions)');
      void world.executions.start(target.Arn, executionId, input ?? '{}').then(
        ({ executionArn }) => {
          firing.invocationId = executionArn;
        },
        (error: unknown) => {
          firing.error = (error as Error).message;
          warn(`schedule ${schedule.groupName}/${schedule.name} could not start ${target.Arn}: ${firing.error}`);
        },
      );
    } else {
      throw new Error(`the local Scheduler invokes only Lambda functions, event buses and Step Functions state machines, not ${target.Arn}`);
    }
  } catch (error) {
    firing.error = error instanceof FunctionNotFoundError ? `ResourceNotFoundException: ${error.message}` : (error as Error).message;
    warn(`schedule ${schedule.groupName}/${schedule.name} could not invoke ${target.Arn}: ${firing.error}`);
  }
}
