/** Runs provision-cluster.asl.json locally with every Task bound to its real handler over a FakeAws. */
import { StateMachine } from 'aws-local-stepfunctions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from '../../functions/generated/types';
import { normaliseSpec } from '../../functions/domain/spec';
import { useDeps } from '../../functions/shared/deps';
import { localTaskHandlers, readDefinition, substituted, timeOverrides } from '../../local/runtime/state-machine-runner';
import { FakeAws } from './fake-aws';

export const referenceSpec = (): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reference-cluster.json'), 'utf8'));

export interface ProvisionRun {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** States entered plus retries: what Step Functions bills as state transitions. */
  transitions: number;
  statesEntered: string[];
}

export function operationFor(clusterName: string, id = 'op-0001'): Operation {
  return { id, type: 'CREATE', cluster: { name: clusterName, region: 'us-east-1', account: '111122223333' }, requestedBy: 'arn:aws:iam::111122223333:role/platform-portal', requestedAt: '2026-11-21T10:00:00.000Z' };
}

export async function runProvision(aws: FakeAws, rawSpec: Record<string, unknown>, operation = operationFor(String(rawSpec.name))): Promise<ProvisionRun> {
  const spec = normaliseSpec(rawSpec, aws.deps().settings.guardrails());
  aws.seedOperation(operation);
  const definition = readDefinition('provision-cluster');
  const machine = new StateMachine(substituted(definition) as never);
  const restore = useDeps(aws.deps());
  const statesEntered: string[] = [];
  let transitions = 0;
  try {
    const execution = machine.run(
      { operation, spec },
      {
        overrides: { taskResourceLocalHandlers: await localTaskHandlers(definition), ...timeOverrides(definition, 0) },
        eventLogs: true,
      },
    );
    const collect = (async () => {
      for await (const event of execution.eventLogs!) {
        if (event.type === 'StateEntered') {
          transitions++;
          statesEntered.push((event as { state: { name: string } }).state.name);
        }
        if (event.type === 'StateRetried') transitions++;
      }
    })();
    try {
      const output = await execution.result;
      await collect;
      return { status: 'SUCCEEDED', output, transitions, statesEntered };
    } catch (error) {
      await collect.catch(() => undefined);
      const e = error as { name?: string; message?: string; errorName?: string };
      return { status: 'FAILED', error: e.name, cause: e.message, transitions, statesEntered };
    }
  } finally {
    restore();
  }
}
