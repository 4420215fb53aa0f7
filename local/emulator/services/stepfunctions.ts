/**
 * Step Functions (awsJson1.0, `X-Amz-Target: AWSStepFunctions.X`, timestamps as epoch seconds)
 * over the local runtime's executions (world.executions, which runs the ASL with the real
 * handlers): StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory,
 * StopExecution, ListStateMachines, DescribeStateMachine, DescribeStateMachineForExecution.
 *
 * StartExecution keeps AWS's idempotency rule: the same name and input while that execution is
 * open returns the same execution; a different input, or any input once it has closed, is
 * ExecutionAlreadyExists.
 */
import { randomUUID } from 'node:crypto';
import { createAwsJsonService, type AwsJsonOperation, type JsonInput } from '../json';
import { EmulatorError } from '../protocol';
import type { ServiceModule } from '../server';
import type { ExecutionBackend, ExecutionRecord, World } from '../world';

type Input = JsonInput;

const epochSeconds = (date: Date | undefined): number | undefined => (date ? date.getTime() / 1000 : undefined);

/** Drops undefined fields so the JSON carries only what is set. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function requiredString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/;

function checkArn(arn: string, pattern: RegExp): void {
  if (!pattern.test(arn)) throw new EmulatorError(400, 'InvalidArn', `Invalid Arn: '${arn}'`);
}

/** What AWS forbids in execution names (whitespace, brackets, wildcards, some punctuation, control characters). */
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

function invalidName(name: string): boolean {
  const controlCharacter = [...name].some((c) => {
    const code = c.charCodeAt(0);
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
  return name.length < 1 || name.length > 80 || controlCharacter || INVALID_NAME_CHARACTERS.test(name);
}

/** `arn:...:stateMachine:sm` + `name` → `arn:...:execution:sm:name`. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** `ExecutionStarted` → `executionStartedEventDetails`; state events share `stateEntered`/`stateExited`. */
export function historyDetailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

function executionSummary(record: ExecutionRecord): Record<string, unknown> {
  return compact({
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    stopDate: epochSeconds(record.stopDate),
  });
}

interface StateMachineInfo {
  stateMachineArn: string;
  name: string;
  definition?: string;
  roleArn?: string;
  type?: string;
  creationDate?: Date;
}

export function createStepFunctionsService(world: World): ServiceModule {
  /** In-flight starts by execution ARN, so two identical concurrent calls return one execution. */
  const starting = new Map<string, Promise<{ executionArn: string; startDate: Date; input: string }>>();
  const createdAt = world.clock.now();

  function stateMachine(backend: ExecutionBackend, arn: string): StateMachineInfo {
    checkArn(arn, STATE_MACHINE_ARN);
    const found = backend.stateMachines().find((sm) => sm.stateMachineArn === arn) as StateMachineInfo | undefined;
    if (!found) throw new EmulatorError(400, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return found;
  }

  function execution(backend: ExecutionBackend, arn: string): ExecutionRecord {
    checkArn(arn, EXECUTION_ARN);
    const record = backend.describe(arn);
    if (!record) throw new EmulatorError(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  function describeStateMachine(info: StateMachineInfo): Record<string, unknown> {
    return compact({
      stateMachineArn: info.stateMachineArn,
      name: info.name,
      status: 'ACTIVE',
      definition: info.definition ?? '{}',
      roleArn: info.roleArn ?? `arn:aws:iam::${world.account}:role/${info.name}-role`,
      type: info.type ?? 'STANDARD',
      creationDate: epochSeconds(info.creationDate ?? createdAt),
    });
  }

  function page<T>(items: T[], input: Input): { items: T[]; nextToken?: string } {
    let start = 0;
    if (input.nextToken !== undefined) {
      start = Number(Buffer.from(String(input.nextToken), 'base64url').toString('utf8'));
      if (!Number.isInteger(start) || start < 0) throw new EmulatorError(400, 'InvalidToken', `Invalid Token: '${String(input.nextToken)}'`);
    }
    const maxResults = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100;
    const end = start + Math.min(maxResults, 1000);
    return { items: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
  }

  const operations: Record<string, AwsJsonOperation<ExecutionBackend>> = {
    async StartExecution(backend, input) {
      const stateMachineArn = requiredString(input, 'stateMachineArn');
      stateMachine(backend, stateMachineArn);
      const name = input.name === undefined ? randomUUID() : String(input.name);
      if (invalidName(name)) throw new EmulatorError(400, 'InvalidName', `Invalid Name: '${name}'`);
      const executionInput = input.input === undefined ? '{}' : String(input.input);
      try {
        JSON.parse(executionInput);
      } catch (error) {
        throw new EmulatorError(400, 'InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
      }
      const arn = executionArnFor(stateMachineArn, name);
      const inFlight = starting.get(arn);
      const existing = inFlight ? await inFlight.catch(() => undefined) : undefined;
      const record = backend.describe(arn);
      if (existing || record) {
        const open = record ? record.status === 'RUNNING' : true;
        const sameInput = (record?.input ?? existing?.input) === executionInput;
        if (!open || !sameInput) throw new EmulatorError(400, 'ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
        return { executionArn: arn, startDate: epochSeconds(record?.startDate ?? existing?.startDate) };
      }
      const started = backend.start(stateMachineArn, name, executionInput).then((result) => ({ ...result, input: executionInput }));
      starting.set(arn, started);
      try {
        const { executionArn, startDate } = await started;
        // Once the runtime can describe it, the execution itself carries the idempotency.
        if (backend.describe(arn)) starting.delete(arn);
        return { executionArn, startDate: epochSeconds(startDate) };
      } catch (error) {
        starting.delete(arn);
        throw error;
      }
    },

    DescribeExecution(backend, input) {
      const record = execution(backend, requiredString(input, 'executionArn'));
      return compact({
        ...executionSummary(record),
        input: record.input,
        inputDetails: { included: true },
        output: record.output,
        outputDetails: record.output !== undefined ? { included: true } : undefined,
        error: record.error,
        cause: record.cause,
      });
    },

    ListExecutions(backend, input) {
      const stateMachineArn = requiredString(input, 'stateMachineArn');
      stateMachine(backend, stateMachineArn);
      const statusFilter = input.statusFilter === undefined ? undefined : String(input.statusFilter);
      const statuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
      if (statusFilter !== undefined && !statuses.includes(statusFilter)) {
        throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${statuses.join(', ')}]`);
      }
      // Newest first, as Step Functions lists them.
      const records = backend
        .list(stateMachineArn, statusFilter)
        .filter((r) => !statusFilter || r.status === statusFilter)
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
      const { items, nextToken } = page(records, input);
      return compact({ executions: items.map(executionSummary), nextToken });
    },

    GetExecutionHistory(backend, input) {
      const arn = requiredString(input, 'executionArn');
      execution(backend, arn);
      const includeData = input.includeExecutionData !== false;
      const events = backend.history(arn).map((event, index, all) => {
        const details = event.details && !includeData ? Object.fromEntries(Object.entries(event.details).filter(([key]) => key !== 'input' && key !== 'output')) : event.details;
        return compact({
          timestamp: epochSeconds(event.timestamp),
          type: event.type,
          id: event.id,
          previousEventId: index === 0 ? 0 : all[index - 1]!.id,
          [historyDetailsKey(event.type)]: details,
        });
      });
      if (input.reverseOrder === true) events.reverse();
      const { items, nextToken } = page(events, input);
      return compact({ events: items, nextToken });
    },

    async StopExecution(backend, input) {
      const arn = requiredString(input, 'executionArn');
      const record = execution(backend, arn);
      if (record.status === 'RUNNING') {
        await backend.stop(arn, typeof input.error === 'string' ? input.error : undefined, typeof input.cause === 'string' ? input.cause : undefined);
      }
      return { stopDate: epochSeconds(backend.describe(arn)?.stopDate ?? record.stopDate ?? world.clock.now()) };
    },

    ListStateMachines(backend, input) {
      const machines = backend.stateMachines() as StateMachineInfo[];
      const { items, nextToken } = page(machines, input);
      return compact({
        stateMachines: items.map((sm) => ({ stateMachineArn: sm.stateMachineArn, name: sm.name, type: sm.type ?? 'STANDARD', creationDate: epochSeconds(sm.creationDate ?? createdAt) })),
        nextToken,
      });
    },

    DescribeStateMachine(backend, input) {
      return describeStateMachine(stateMachine(backend, requiredString(input, 'stateMachineArn')));
    },

    DescribeStateMachineForExecution(backend, input) {
      const record = execution(backend, requiredString(input, 'executionArn'));
      const described = describeStateMachine(stateMachine(backend, record.stateMachineArn));
      return compact({ stateMachineArn: described.stateMachineArn, name: described.name, definition: described.definition, roleArn: described.roleArn, updateDate: described.creationDate });
    },
  };

  return createAwsJsonService<ExecutionBackend>(world, {
    name: 'states',
    protocol: 'awsJson1.0',
    targetPrefix: 'AWSStepFunctions.',
    namespace: 'com.amazonaws.states',
    title: 'Step Functions',
    operations,
    malformedBodyMessage: 'Malformed JSON request body',
    context(operationName) {
      if (!world.executions) {
        throw new EmulatorError(400, 'LocalRuntimeUnavailable', `No Step Functions runtime is attached to the local emulator (world.executions is unset): ${operationName} needs the local runtime (npm start) to run state machines`);
      }
      return world.executions;
    },
  });
}
