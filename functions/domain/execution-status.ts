/** Step Functions' own events about the service's executions (default bus, source aws.states). */

export const EXECUTION_STATUS_SOURCE = 'aws.states';
export const EXECUTION_STATUS_DETAIL_TYPE = 'Step Functions Execution Status Change';
/** The endings that may leave an operation without its terminal event. */
export const UNREPORTED_ENDINGS = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** The event's detail, as far as the service reads it. */
export interface ExecutionStatusChange {
  executionArn: string;
  stateMachineArn: string;
  /** The execution's name: the operation id (the API starts each execution named by it). */
  name: string;
  status: string;
  error?: string | null;
  cause?: string | null;
}

/** How often the reconciler runs (an EventBridge schedule in AWS, the emulated clock locally). */
export const RECONCILE_INTERVAL_MINUTES = 5;
