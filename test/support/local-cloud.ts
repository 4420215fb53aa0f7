/**
 * Driving local mode (startLocal) over HTTP from end-to-end tests: REST calls as any caller, the
 * status events on the local bus, and checks that nothing of a cluster is left in the emulator.
 */
import { kubeAgentFunctionName } from '../../functions/domain/naming';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EKSClient, ListClustersCommand, ListFargateProfilesCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { localClientConfig, type LocalMode } from '../../local/start';

export const TERMINAL = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'];

export interface StatusEvent {
  operationId: string;
  eventId: string;
  operation: string;
  action?: string;
  status: string;
  phase: string;
  time: string;
  step?: { name: string; status: string; resource?: string };
  error?: { code: string; message: string; resource?: string };
  outputs?: Record<string, string>;
  settledBy?: string;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
  contentType: string | null;
}

export class LocalCloud {
  readonly cloudFormation: CloudFormationClient;
  readonly eks: EKSClient;

  constructor(readonly local: LocalMode) {
    this.cloudFormation = new CloudFormationClient(localClientConfig(local.awsUrl));
    this.eks = new EKSClient(localClientConfig(local.awsUrl));
  }

  async call(method: string, path: string, options: { body?: unknown; caller?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const response = await fetch(`${this.local.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(options.caller ? { 'x-eksp-caller': options.caller } : {}), ...(options.headers ?? {}) },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    return { status: response.status, body: contentType?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {}, text, contentType };
  }

  /** Every event the bus holds with this detail type, in bus order. */
  async busEvents<T = StatusEvent>(detailType = 'EKS Cluster Operation Status Change'): Promise<T[]> {
    const page = (await (await fetch(`${this.local.awsUrl}/_local/events?source=eks-provisioner&detailType=${encodeURIComponent(detailType)}`)).json()) as { events: Array<{ detail: T }> };
    return page.events.map((e) => e.detail);
  }

  /** Every status event of the operation, in bus order, once its terminal event is there. */
  async eventsUntilTerminal(operationId: string, timeoutMs = 25_000): Promise<StatusEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = (await this.busEvents()).filter((d) => d.operationId === operationId);
      if (events.some((e) => TERMINAL.includes(e.status))) {
        // Let a stray late event (there must be none) show up before judging the order.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return (await this.busEvents()).filter((d) => d.operationId === operationId);
      }
      if (Date.now() > deadline) throw new Error(`no terminal event for ${operationId} after ${timeoutMs} ms; got ${events.map((e) => `${e.status}/${e.phase}`).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Nothing of the cluster left in the emulator: no stacks, no cluster (so no nodegroups or Fargate profiles), no kube agent or its log group. */
  async expectNothingLeft(name: string): Promise<void> {
    const stacks = await this.cloudFormation.send(new DescribeStacksCommand({})).then(
      (out) => out.Stacks ?? [],
      () => [],
    );
    expect(stacks.filter((s) => s.StackName?.startsWith(`eksp-${name}-`) && s.StackStatus !== 'DELETE_COMPLETE').map((s) => `${s.StackName} ${s.StackStatus}`)).toEqual([]);
    expect((await this.eks.send(new ListClustersCommand({}))).clusters).not.toContain(name);
    await expect(this.eks.send(new ListNodegroupsCommand({ clusterName: name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(this.eks.send(new ListFargateProfilesCommand({ clusterName: name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const agent = kubeAgentFunctionName(name);
    expect(this.local.world.functions.get(agent)).toBeUndefined();
    expect(this.local.world.logs.groups.has(`/aws/lambda/${agent}`)).toBe(false);
  }

  destroy(): void {
    this.cloudFormation.destroy();
    this.eks.destroy();
  }
}

/**
 * EventBridge does not promise delivery order, so consumers order status events by their `time`:
 * ACCEPTED comes first by time. The terminal event is the last one put on the bus, and the only one.
 */
export function expectOneTerminalLast(events: StatusEvent[], status: string): StatusEvent {
  const byTime = [...events].sort((a, b) => a.time.localeCompare(b.time));
  expect(byTime[0]).toMatchObject({ status: 'ACCEPTED', phase: 'Accepted' });
  const terminals = events.filter((e) => TERMINAL.includes(e.status));
  if (terminals.length !== 1 || terminals[0]!.status !== status) {
    throw new Error(`expected one terminal event ${status}, got ${JSON.stringify(terminals.map((e) => ({ status: e.status, phase: e.phase, error: e.error })))}`);
  }
  const last = events.at(-1)!;
  expect(last.status).toBe(status);
  return last;
}
