/** The local runtime's execution history: the runner's and the Lambda invocations' events merged in causal order. */
import { causalOrder } from '../../../local/runtime/executions';

const event = (type: string, at: number, seq: number) => ({ type, at, seq });
const types = (events: Array<{ type: string }>) => events.map((e) => e.type);

describe('causalOrder', () => {
  it('orders by time first, whatever order the events were recorded in', () => {
    const recorded = [event('LambdaFunctionScheduled', 2_000, 1), event('ExecutionStarted', 1_000, 2), event('TaskStateEntered', 1_000, 3)];

    expect(types(causalOrder(recorded))).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled']);
  });

  it('within one stamp, schedules a call after the runner entered its state and retries a failed call inside the same state, and ends each call before the runner exits it', () => {
    // Lambda events are recorded as they happen, the runner's read later from its log: seq is arrival, not cause.
    const recorded = [
      event('LambdaFunctionScheduled', 5_000, 1),
      event('LambdaFunctionStarted', 5_000, 2),
      event('LambdaFunctionFailed', 5_000, 3),
      event('LambdaFunctionScheduled', 5_000, 4),
      event('LambdaFunctionStarted', 5_000, 5),
      event('LambdaFunctionSucceeded', 5_000, 6),
      event('ExecutionStarted', 5_000, 7),
      event('TaskStateEntered', 5_000, 8),
      event('TaskStateExited', 5_000, 10),
      event('ExecutionSucceeded', 5_000, 11),
    ];

    expect(types(causalOrder(recorded))).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('keeps two Task states that ran within one stamp apart, each call inside its own state', () => {
    const recorded = ['Scheduled', 'Started', 'Succeeded', 'Scheduled', 'Started', 'Succeeded'].map((t, i) => event(`LambdaFunction${t}`, 7_000, i));
    const runner = ['TaskStateEntered', 'TaskStateExited', 'TaskStateEntered', 'TaskStateExited'].map((t, i) => event(t, 7_000, 10 + i));

    expect(types(causalOrder([...recorded, ...runner]))).toEqual([
      'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited',
      'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited',
    ]);
  });
});
