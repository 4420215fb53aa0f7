import { AssociateEncryptionConfigCommand, EKSClient, InvalidParameterException, ResourceInUseException, TagResourceCommand, UntagResourceCommand, UpdateClusterConfigCommand } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SdkEks } from '../../../functions/ports/eks';
import { metadata, rejectionOf } from './port-helpers';

const CLUSTER = 'demo';
const ARN = 'arn:aws:eks:us-east-1:111122223333:cluster/demo';

function setup() {
  const client = new EKSClient({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new SdkEks(() => client) };
}

describe('SdkEks: cluster settings', () => {
  it.each([
    [{ logging: { enable: ['api', 'audit'], disable: ['scheduler'] } }, { logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: true }, { types: ['scheduler'], enabled: false }] } }],
    [{ logging: { enable: [], disable: ['api'] } }, { logging: { clusterLogging: [{ types: ['api'], enabled: false }] } }],
    [{ deletionProtection: false }, { deletionProtection: false }],
    [{ supportType: 'STANDARD' as const }, { upgradePolicy: { supportType: 'STANDARD' } }],
    [{ zonalShift: true }, { zonalShiftConfig: { enabled: true } }],
    [{ authenticationMode: 'API' as const }, { accessConfig: { authenticationMode: 'API' } }],
  ])('UpdateClusterConfig carries one setting: %j', async (change, sent) => {
    const { mock, port } = setup();
    mock.on(UpdateClusterConfigCommand).resolves({ update: { id: 'u-1', status: 'InProgress' } });

    await expect(port.updateClusterConfig(CLUSTER, change, 'eksp-token')).resolves.toBe('u-1');
    expect(mock).toHaveReceivedCommandWith(UpdateClusterConfigCommand, { name: CLUSTER, ...sent, clientRequestToken: 'eksp-token' });
    expect(Object.keys(mock.commandCalls(UpdateClusterConfigCommand)[0]!.args[0].input).sort()).toEqual(['clientRequestToken', 'name', ...Object.keys(sent)].sort());
  });

  it('turns the 409 "update in progress" into the retryable UpdateInProgressError, and a refused no-op into a request error', async () => {
    const { mock, port } = setup();
    mock
      .on(UpdateClusterConfigCommand)
      .rejectsOnce(new ResourceInUseException({ $metadata: { ...metadata, httpStatusCode: 409 }, message: 'Cluster demo currently has update 8ea4 in progress' }))
      .rejectsOnce(new InvalidParameterException({ $metadata: { ...metadata, httpStatusCode: 400 }, message: 'Cluster is already at the desired configuration with deletionProtection: true' }));

    const busy = await rejectionOf(port.updateClusterConfig(CLUSTER, { deletionProtection: true }, 'eksp-token'));
    const noop = await rejectionOf(port.updateClusterConfig(CLUSTER, { deletionProtection: true }, 'eksp-token'));

    expect(busy.name).toBe('UpdateInProgressError');
    expect(noop.name).toBe('AwsRequestError');
    expect(noop.message).toContain('already at the desired configuration');
  });

  it('AssociateEncryptionConfig encrypts secrets with the key and returns the update id', async () => {
    const { mock, port } = setup();
    mock.on(AssociateEncryptionConfigCommand).resolves({ update: { id: 'u-2', status: 'InProgress' } });

    await expect(port.associateEncryptionConfig(CLUSTER, 'arn:aws:kms:us-east-1:111122223333:key/k', 'eksp-token')).resolves.toBe('u-2');
    expect(mock).toHaveReceivedCommandWith(AssociateEncryptionConfigCommand, { clusterName: CLUSTER, encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k' } }], clientRequestToken: 'eksp-token' });
  });

  it('tags and untags the cluster by its ARN', async () => {
    const { mock, port } = setup();
    mock.on(TagResourceCommand).resolves({});
    mock.on(UntagResourceCommand).resolves({});

    await port.tagResource(ARN, { team: 'green' });
    await port.untagResource(ARN, ['old']);

    expect(mock).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ARN, tags: { team: 'green' } });
    expect(mock).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: ARN, tagKeys: ['old'] });
  });
});
