/**
 * The local runtime's Step Functions backend: the provision state machine over the real handlers
 * (against the in-memory FakeAws), and the time factor applied to Wait states and Retry intervals
 * per execution, per Map iteration.
 */
import { World } from '../../local/emulator/world';
import { LocalExecutions } from '../../local/runtime/executions';
import type { Definition } from '../../local/runtime/state-machine-runner';
import { normaliseSpec } from '../../functions/domain/spec';
import { useDeps } from '../../functions/shared/deps';
import { FakeAws } from '../support/fake-aws';
import { operationFor, referenceSpec } from '../support/provision-run';

const SCALE = 0.001;

function backend(): { world: World; executions: LocalExecutions } {
  const world = new World({ timeScale: SCALE, seed: 7 });
  const executions = new LocalExecutions(world, { warn: () => undefined });
  world.executions = executions;
  return { world, executions };
}

async function runToEnd(executions: LocalExecutions, arn: string, name: string, input: unknown) {
  const { executionArn } = await executions.start(arn, name, JSON.stringify(input));
  return { executionArn, record: await executions.settled(executionArn) };
}

const lambda = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

describe('the provision state machine on the local runtime', () => {
  it('drives the real handlers to SUCCEEDED with an AWS-shaped history and billing counts', async () => {
    const { executions } = backend();
    const aws = new FakeAws();
    const restore = useDeps(aws.deps());
    try {
      const arn = await executions.register('provision-cluster');
      const operation = operationFor('reference');
      aws.seedOperation(operation);
      const spec = normaliseSpec(referenceSpec(), aws.deps().settings.guardrails());

      const { executionArn, record } = await runToEnd(executions, arn, operation.id, { operation, spec });

      expect(record).toMatchObject({ status: 'SUCCEEDED', name: operation.id });
      expect(record!.output).toContain('"clusterName":"reference"');
      const types = executions.history(executionArn).map((e) => e.type);
      expect(types[0]).toBe('ExecutionStarted');
      expect(types.at(-1)).toBe('ExecutionSucceeded');
      expect(types).toEqual(expect.arrayContaining(['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionSucceeded', 'WaitStateEntered', 'MapIterationStarted', 'ParallelStateEntered']));
      const stats = executions.stats(executionArn)!;
      expect(stats.lambdaInvocations).toBe(types.filter((t) => t === 'LambdaFunctionScheduled').length);
      expect(stats.transitions).toBeGreaterThan(20);
    } finally {
      restore();
    }
  });

  it('names executions: the same name and input while running is the same execution, anything else is taken', async () => {
    const { executions } = backend();
    const slow = () => new Promise((resolve) => setTimeout(() => resolve({}), 300));
    const arn = executions.registerDefinition('slow', { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: lambda('slow'), End: true } } } as unknown as Definition, { Slow: slow });

    const first = await executions.start(arn, 'op-1', '{"a":1}');
    const again = await executions.start(arn, 'op-1', '{"a":1}');

    expect(again.executionArn).toBe(first.executionArn);
    await expect(executions.start(arn, 'op-1', '{"a":2}')).rejects.toMatchObject({ code: 'ExecutionAlreadyExists' });
    await executions.stop(first.executionArn, 'Stopped', 'by the test');
    expect(executions.describe(first.executionArn)).toMatchObject({ status: 'ABORTED', error: 'Stopped' });
    expect(executions.list(arn, 'ABORTED')).toHaveLength(1);
  });
});

describe('time scaling', () => {
  const waits: Definition = {
    StartAt: 'Items',
    States: {
      Items: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: 0,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Start',
          States: {
            Start: { Type: 'Task', Resource: lambda('start'), ResultPath: '$.poll', Next: 'Wait For It' },
            'Wait For It': { Type: 'Wait', SecondsPath: '$.poll.waitSeconds', Next: 'Check' },
            Check: {
              Type: 'Task',
              Resource: lambda('check'),
              ResultPath: '$.poll',
              Retry: [{ ErrorEquals: ['NotReadyError'], IntervalSeconds: 200, BackoffRate: 2, MaxAttempts: 5 }],
              Next: 'Fixed Wait',
            },
            'Fixed Wait': { Type: 'Wait', Seconds: 300, End: true },
          },
        },
        End: true,
      },
    },
  } as unknown as Definition;

  it('waits SecondsPath × scale per Map iteration and retries IntervalSeconds × BackoffRate^n × scale', async () => {
    const { executions } = backend();
    const seen: Record<string, number[]> = {};
    const checks: Record<string, number> = {};
    const stamp = (input: unknown) => {
      const { item } = input as { item: { name: string; wait: number; failures: number } };
      (seen[item.name] ??= []).push(Date.now());
      return item;
    };
    const arn = executions.registerDefinition('waits', waits, {
      Start: async (input) => ({ waitSeconds: stamp(input).wait }),
      Check: async (input) => {
        const item = stamp(input);
        checks[item.name] = (checks[item.name] ?? 0) + 1;
        if (checks[item.name]! <= item.failures) throw Object.assign(new Error('not yet'), { name: 'NotReadyError' });
        return { ready: true };
      },
    });
    const items = [
      { name: 'short', wait: 100, failures: 0 },
      { name: 'long', wait: 1500, failures: 2 },
    ];

    const started = Date.now();
    const { record } = await runToEnd(executions, arn, 'scaled', { items: items.map((item) => ({ item })) });
    const elapsed = Date.now() - started;

    expect(record?.status).toBe('SUCCEEDED');
    const gap = (name: string, i: number) => seen[name]![i + 1]! - seen[name]![i]!;
    // short: wait 100 s → 100 ms.
    expect(gap('short', 0)).toBeGreaterThanOrEqual(95);
    expect(gap('short', 0)).toBeLessThan(400);
    // long: wait 1500 s → 1.5 s, then retries after 200 s and 400 s → 0.2 s and 0.4 s.
    expect(gap('long', 0)).toBeGreaterThanOrEqual(1490);
    expect(gap('long', 0)).toBeLessThan(1900);
    expect(gap('long', 1)).toBeGreaterThanOrEqual(195);
    expect(gap('long', 1)).toBeLessThan(450);
    expect(gap('long', 2)).toBeGreaterThanOrEqual(395);
    expect(gap('long', 2)).toBeLessThan(650);
    // Then the fixed 300 s wait → 0.3 s: about 1.5 + 0.2 + 0.4 + 0.3 s in all.
    expect(elapsed).toBeGreaterThanOrEqual(2390);
    expect(elapsed).toBeLessThan(3400);
  });

  it('crashes a step after its side effect when a step-crash fault is set, and the Retry runs it again', async () => {
    const { world, executions } = backend();
    let sideEffects = 0;
    const arn = executions.registerDefinition(
      'crash',
      {
        StartAt: 'Create Thing',
        States: {
          'Create Thing': {
            Type: 'Task',
            Resource: lambda('create'),
            Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 6, JitterStrategy: 'FULL' }],
            End: true,
          },
        },
      } as unknown as Definition,
      { 'Create Thing': async () => ({ made: ++sideEffects }) },
    );
    world.faults.add([{ kind: 'step-crash', state: 'Create Thing', count: 1 }]);

    const { executionArn, record } = await runToEnd(executions, arn, 'crash', {});

    expect(record).toMatchObject({ status: 'SUCCEEDED', output: JSON.stringify({ made: 2 }) });
    const failures = executions.history(executionArn).filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failures).toEqual([expect.objectContaining({ details: expect.objectContaining({ error: 'Lambda.ServiceException' }) })]);
    expect(executions.stats(executionArn)).toMatchObject({ lambdaInvocations: 2, retries: 1 });
  });
});
