/** KubeAgentKubernetes: the steps' way to a cluster's Kubernetes API, through its kube agent (Lambda Invoke mocked). */
import { InvokeCommand, LambdaClient, ResourceConflictException, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { KubeAgentRequest, KubeAgentResponse } from '../../../functions/generated/types';
import { KubeAgentKubernetes } from '../../../functions/ports/kubernetes';
import { metadata, rejectionOf } from './port-helpers';

const CLUSTER = { name: 'demo', endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: 'LS0tLS1CRUdJTg==' };
const TOKEN = 'k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8';

function agent() {
  const client = new LambdaClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  const port = new KubeAgentKubernetes(() => client, async () => TOKEN, async () => 'arn:aws:iam::111122223333:role/step');
  const answer = (response: KubeAgentResponse, functionError?: string) =>
    mock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(response)) as never, ...(functionError ? { FunctionError: functionError } : {}) });
  const sent = () => mock.commandCalls(InvokeCommand).map((call) => ({ functionName: call.args[0].input.FunctionName, request: JSON.parse(Buffer.from(call.args[0].input.Payload as Uint8Array).toString('utf8')) as KubeAgentRequest }));
  return { mock, port, answer, sent };
}

describe('KubeAgentKubernetes', () => {
  it("invokes the cluster's own agent with the cluster, the action and a token it signed, and returns aws-auth", async () => {
    const { port, answer, sent } = agent();
    answer({ awsAuth: { data: { mapRoles: '[]' }, resourceVersion: '7' } });

    await expect(port.readAwsAuth(CLUSTER)).resolves.toEqual({ data: { mapRoles: '[]' }, resourceVersion: '7' });
    expect(sent()).toEqual([{ functionName: 'eksp-kube-agent-demo', request: { action: 'readAwsAuth', cluster: CLUSTER, token: TOKEN } }]);
  });

  it('answers undefined when aws-auth does not exist', async () => {
    const { port, answer } = agent();
    answer({});

    await expect(port.readAwsAuth(CLUSTER)).resolves.toBeUndefined();
  });

  it('writes with the resourceVersion it read, or creates without one', async () => {
    const { port, answer, sent } = agent();
    answer({});

    await port.writeAwsAuth(CLUSTER, { mapRoles: '[]' }, '7');
    await port.writeAwsAuth(CLUSTER, { mapRoles: '[]' });

    expect(sent().map((s) => [s.request.action, s.request.data, s.request.resourceVersion])).toEqual([
      ['writeAwsAuth', { mapRoles: '[]' }, '7'],
      ['writeAwsAuth', { mapRoles: '[]' }, undefined],
    ]);
  });

  it.each([
    ['KubernetesConflictError', { name: 'KubernetesConflictError', message: 'aws-auth: ConfigMap kube-system/aws-auth changed while we wrote it; re-reading' }, undefined],
    ['AwsUnavailableError', { name: 'AwsUnavailableError', message: 'aws-auth: cannot reach the Kubernetes API of demo' }, undefined],
    ['KubernetesApiError', { name: 'KubernetesApiError', message: 'aws-auth: Kubernetes API of demo refused to read ConfigMap kube-system/aws-auth (403): forbidden', status: 403 }, 403],
  ] as const)('raises the %s the agent reports, with its message and status', async (name, error, status) => {
    const { port, answer } = agent();
    answer({ error });

    const raised = await rejectionOf(port.readAwsAuth(CLUSTER));

    expect({ name: raised.name, message: raised.message, status: (raised as { status?: number }).status }).toEqual({ name, message: error.message, status });
  });

  it('raises a terminal KubernetesApiError, naming the agent, for a request its contract refuses', async () => {
    const { port, answer } = agent();
    answer({ error: { name: 'KubeAgentContractError', message: 'the kube agent refuses the request: /action must be equal to one of the allowed values' } });

    const raised = await rejectionOf(port.readAwsAuth(CLUSTER));

    expect(raised.name).toBe('KubernetesApiError');
    expect(raised.message).toContain('eksp-kube-agent-demo');
  });

  describe('cordonNodes naming the operation', () => {
    /** An agent as one made before cordons named their operation answers: its contract has no cordonedBy. */
    function olderAgent() {
      const made = agent();
      made.mock.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
        const request = JSON.parse(Buffer.from(input.Payload).toString('utf8')) as Record<string, unknown>;
        const response: KubeAgentResponse = 'cordonedBy' in request ? { error: { name: 'KubeAgentContractError', message: 'the kube agent refuses the request: / must NOT have additional properties' } } : { nodes: [] };
        return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(response)) };
      });
      return made;
    }

    it('sends the operation with the cordon, and not with an uncordon', async () => {
      const { port, answer, sent } = agent();
      answer({ nodes: [] });

      await port.cordonNodes(CLUSTER, ['ip-10-0-1-10'], true, 'op-1');
      await port.cordonNodes(CLUSTER, ['ip-10-0-1-10'], false, 'op-1');

      expect(sent().map((s) => [s.request.unschedulable, s.request.cordonedBy])).toEqual([
        [true, 'op-1'],
        [false, undefined],
      ]);
    });

    it('cordons without the name when the cluster\'s agent predates it, instead of failing the change', async () => {
      const { port, sent } = olderAgent();

      await port.cordonNodes(CLUSTER, ['ip-10-0-1-10'], true, 'op-1');

      expect(sent().map((s) => s.request.cordonedBy)).toEqual(['op-1', undefined]);
    });

    it('still raises a refusal the request without the name gets too', async () => {
      const { port, answer, sent } = agent();
      answer({ error: { name: 'KubeAgentContractError', message: 'the kube agent refuses the request: /nodeNames/0 must match pattern' } });

      const raised = await rejectionOf(port.cordonNodes(CLUSTER, ['Not A Node'], true, 'op-1'));

      expect(raised.name).toBe('KubernetesApiError');
      expect(sent()).toHaveLength(2);
    });
  });

  it("retries the agent's own failure (a crash or a timeout) as unavailability", async () => {
    const { port, answer } = agent();
    answer({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 30.00 seconds' } as never, 'Unhandled');

    const raised = await rejectionOf(port.readAwsAuth(CLUSTER));

    expect(raised.name).toBe('AwsUnavailableError');
    expect(raised.message).toContain('Task timed out after 30.00 seconds');
  });

  it('retries while Lambda is still making the agent (Pending), and names a missing agent as not retryable', async () => {
    const pending = agent();
    pending.mock.on(InvokeCommand).rejects(new ResourceConflictException({ message: 'The operation cannot be performed at this time. The function is currently in the following state: Pending', $metadata: metadata }));
    const missing = agent();
    missing.mock.on(InvokeCommand).rejects(new ResourceNotFoundException({ message: 'Function not found: arn:aws:lambda:us-east-1:111122223333:function:eksp-kube-agent-demo', $metadata: metadata }));

    expect((await rejectionOf(pending.port.readAwsAuth(CLUSTER))).name).toBe('AwsUnavailableError');
    const gone = await rejectionOf(missing.port.readAwsAuth(CLUSTER));
    expect(gone.name).toBe('KubernetesApiError');
    expect(gone.message).toContain('the kube agent eksp-kube-agent-demo of cluster demo does not exist');
  });
});
