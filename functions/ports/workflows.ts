import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { classifyAwsError, isAwsError } from '../shared/errors';
import { once } from '../shared/once';

export interface ExecutionStatus {
  status: string;
  startDate?: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
}

export interface WorkflowsPort {
  /** Starts an execution named by the operation id; starting it again returns the same execution. */
  start(stateMachineArn: string, name: string, input: unknown): Promise<string>;
  /** Undefined when there is no such execution (it never started). */
  describe(executionArn: string): Promise<ExecutionStatus | undefined>;
  /** StopExecution; an execution that already ended or never existed is left as it is. */
  stop(executionArn: string, error: string, cause: string): Promise<void>;
}

/** An execution's ARN is predictable from its state machine and name. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export class SdkWorkflows implements WorkflowsPort {
  constructor(private readonly client: () => SFNClient) {}

  async start(stateMachineArn: string, name: string, input: unknown): Promise<string> {
    try {
      const { executionArn } = await this.client().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return executionArn!;
    } catch (error) {
      // Same name and same input: Step Functions' own idempotency. The ARN is predictable.
      if (error instanceof ExecutionAlreadyExists || isAwsError(error, 'ExecutionAlreadyExists')) return executionArnOf(stateMachineArn, name);
      throw classifyAwsError(error, `state machine ${stateMachineArn}`);
    }
  }

  async describe(executionArn: string): Promise<ExecutionStatus | undefined> {
    try {
      const out = await this.client().send(new DescribeExecutionCommand({ executionArn }));
      return { status: out.status ?? 'UNKNOWN', startDate: out.startDate, stopDate: out.stopDate, error: out.error, cause: out.cause };
    } catch (error) {
      if (isAwsError(error, 'ExecutionDoesNotExist')) return undefined;
      throw classifyAwsError(error, `execution ${executionArn}`);
    }
  }

  async stop(executionArn: string, error: string, cause: string): Promise<void> {
    try {
      await this.client().send(new StopExecutionCommand({ executionArn, error, cause }));
    } catch (failure) {
      if (isAwsError(failure, 'ExecutionDoesNotExist')) return;
      throw classifyAwsError(failure, `execution ${executionArn}`);
    }
  }
}

/** The port over the SDK, with its client built once per container. */
export const sdkWorkflows = once((): WorkflowsPort => new SdkWorkflows(once(() => new SFNClient({}))));
