import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  CreateAddonCommand,
  CreateFargateProfileCommand,
  CreateNodegroupCommand,
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribePodIdentityAssociationCommand,
  ListPodIdentityAssociationsCommand,
  DeleteAddonCommand,
  DeleteFargateProfileCommand,
  DeleteNodegroupCommand,
  DescribeAccessEntryCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeFargateProfileCommand,
  DescribeUpdateCommand,
  EKSClient,
  InvalidParameterException,
  ListAssociatedAccessPoliciesCommand,
  ListNodegroupsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ServerException,
  UpdateAccessEntryCommand,
  UpdateClusterConfigCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SdkEks } from '../../../functions/ports/eks';
import { metadata, rejectionOf } from './port-helpers';

const CLUSTER = 'demo';
const inUse = (message = 'already exists') => new ResourceInUseException({ $metadata: { ...metadata, httpStatusCode: 409 }, message });
const notFound = (message = 'No cluster found') => new ResourceNotFoundException({ $metadata: { ...metadata, httpStatusCode: 404 }, message });

function setup() {
  const client = new EKSClient({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new SdkEks(() => client) };
}

const nodegroupRequest = { clusterName: CLUSTER, nodegroupName: 'ng-1', nodeRole: 'arn:role', subnets: ['subnet-1'], clientRequestToken: 'eksp-token' };
const profileRequest = { clusterName: CLUSTER, fargateProfileName: 'fp-b', podExecutionRoleArn: 'arn:role', selectors: [{ namespace: 'b' }], clientRequestToken: 'eksp-token' };

describe('SdkEks', () => {
  describe('creates are idempotent', () => {
    it('treats ResourceInUseException on CreateNodegroup as success (it exists already)', async () => {
      const { mock, port } = setup();
      mock.on(CreateNodegroupCommand).rejects(inUse('NodeGroup already exists with name ng-1 and cluster name demo'));

      await expect(port.createNodegroup(nodegroupRequest)).resolves.toBeUndefined();
      expect(mock).toHaveReceivedCommandWith(CreateNodegroupCommand, nodegroupRequest);
    });

    it('treats ResourceInUseException on CreateAddon as success', async () => {
      const { mock, port } = setup();
      mock.on(CreateAddonCommand).rejects(inUse('Addon already exists.'));

      await expect(port.createAddon({ clusterName: CLUSTER, addonName: 'vpc-cni' })).resolves.toBeUndefined();
    });

    it('treats ResourceInUseException on CreateFargateProfile as success when the profile exists', async () => {
      const { mock, port } = setup();
      mock.on(CreateFargateProfileCommand).rejects(inUse('A Fargate Profile already exists with this name'));
      mock.on(DescribeFargateProfileCommand, { clusterName: CLUSTER, fargateProfileName: 'fp-b' }).resolves({ fargateProfile: { fargateProfileName: 'fp-b', status: 'CREATING' } });

      await expect(port.createFargateProfile(profileRequest)).resolves.toBeUndefined();
    });

    it('throws the retryable ResourceBusyError when the profile does not exist: another one is in flight', async () => {
      const { mock, port } = setup();
      mock.on(CreateFargateProfileCommand).rejects(inUse('Cannot create Fargate Profile fp-b because cluster demo currently has Fargate profile fp-a in status CREATING'));
      mock.on(DescribeFargateProfileCommand).rejects(notFound('No Fargate Profile found with name: fp-b.'));

      const error = await rejectionOf(port.createFargateProfile(profileRequest));

      expect(error.name).toBe('ResourceBusyError');
      expect(error.message).toMatch(/^Fargate profile fp-b: another Fargate profile is being created or deleted/);
      expect(error.cause).toBeInstanceOf(ResourceInUseException);
    });

    it('names other refusals AwsRequestError with the resource first', async () => {
      const { mock, port } = setup();
      mock.on(CreateNodegroupCommand).rejects(new InvalidParameterException({ $metadata: metadata, message: 'Subnets are not in the VPC' }));

      const error = await rejectionOf(port.createNodegroup(nodegroupRequest));

      expect(error.name).toBe('AwsRequestError');
      expect(error.message).toBe('nodegroup ng-1: InvalidParameterException: Subnets are not in the VPC');
    });
  });

  describe('deletes are idempotent', () => {
    it.each([
      ['deleteNodegroup', DeleteNodegroupCommand, (port: SdkEks) => port.deleteNodegroup(CLUSTER, 'ng-1')],
      ['deleteFargateProfile', DeleteFargateProfileCommand, (port: SdkEks) => port.deleteFargateProfile(CLUSTER, 'fp-a')],
      ['deleteAddon', DeleteAddonCommand, (port: SdkEks) => port.deleteAddon(CLUSTER, 'vpc-cni')],
    ] as const)('%s treats ResourceNotFoundException as done', async (_name, command, call) => {
      const { mock, port } = setup();
      mock.on(command as never).rejects(notFound());

      await expect(call(port)).resolves.toBeUndefined();
    });

    it('throws ResourceBusyError when EKS refuses a profile delete while another is in flight', async () => {
      const { mock, port } = setup();
      mock.on(DeleteFargateProfileCommand).rejects(inUse('cluster demo currently has Fargate profile fp-b in status DELETING'));

      const error = await rejectionOf(port.deleteFargateProfile(CLUSTER, 'fp-a'));

      expect(error.name).toBe('ResourceBusyError');
    });
  });

  it('describes a missing cluster as undefined', async () => {
    const { mock, port } = setup();
    mock.on(DescribeClusterCommand).rejects(notFound());

    await expect(port.describeCluster(CLUSTER)).resolves.toBeUndefined();
  });

  it('lists nodegroups across pages', async () => {
    const { mock, port } = setup();
    mock
      .on(ListNodegroupsCommand, { clusterName: CLUSTER, nextToken: undefined })
      .resolves({ nodegroups: ['ng-1'], nextToken: 't2' })
      .on(ListNodegroupsCommand, { clusterName: CLUSTER, nextToken: 't2' })
      .resolves({ nodegroups: ['ng-2'] });

    await expect(port.listNodegroups(CLUSTER)).resolves.toEqual(['ng-1', 'ng-2']);
  });

  describe('updateEndpointAccess', () => {
    const config = { endpointPublicAccess: false, endpointPrivateAccess: true };

    it('sends the config with its token and returns the update id', async () => {
      const { mock, port } = setup();
      mock.on(UpdateClusterConfigCommand).resolves({ update: { id: 'u-1', status: 'InProgress' } });

      await expect(port.updateEndpointAccess(CLUSTER, config, 'eksp-token')).resolves.toBe('u-1');
      expect(mock).toHaveReceivedCommandWith(UpdateClusterConfigCommand, { name: CLUSTER, resourcesVpcConfig: config, clientRequestToken: 'eksp-token' });
    });

    it('turns the 409 "update in progress" into the retryable UpdateInProgressError', async () => {
      const { mock, port } = setup();
      mock.on(UpdateClusterConfigCommand).rejects(inUse('Cluster demo currently has update 8ea4c9a2 in progress'));

      const error = await rejectionOf(port.updateEndpointAccess(CLUSTER, config, 'eksp-token'));

      expect(error.name).toBe('UpdateInProgressError');
      expect(error.message).toBe('cluster demo: Cluster demo currently has update 8ea4c9a2 in progress');
    });

    it('describes an unknown update as undefined', async () => {
      const { mock, port } = setup();
      mock.on(DescribeUpdateCommand).rejects(notFound('No update found'));

      await expect(port.describeUpdate(CLUSTER, 'u-x')).resolves.toBeUndefined();
    });
  });

  describe('defaultAddonVersion', () => {
    it("picks the version whose compatibility EKS marks default for the cluster's version, not the newest", async () => {
      const { mock, port } = setup();
      mock.on(DescribeAddonVersionsCommand, { addonName: 'vpc-cni', kubernetesVersion: '1.32' }).resolves({
        addons: [
          {
            addonName: 'vpc-cni',
            addonVersions: [
              { addonVersion: 'v1.19.2-eksbuild.5', compatibilities: [{ clusterVersion: '1.32', defaultVersion: false }] },
              { addonVersion: 'v1.19.0-eksbuild.1', compatibilities: [{ clusterVersion: '1.33', defaultVersion: true }, { clusterVersion: '1.32', defaultVersion: false }] },
              { addonVersion: 'v1.18.6-eksbuild.1', compatibilities: [{ clusterVersion: '1.32', defaultVersion: true }] },
            ],
          },
        ],
      });

      await expect(port.defaultAddonVersion('vpc-cni', '1.32')).resolves.toBe('v1.18.6-eksbuild.1');
    });

    it('falls back to the first listed version when none is marked default', async () => {
      const { mock, port } = setup();
      mock.on(DescribeAddonVersionsCommand).resolves({ addons: [{ addonVersions: [{ addonVersion: 'v2' }, { addonVersion: 'v1' }] }] });

      await expect(port.defaultAddonVersion('coredns', '1.33')).resolves.toBe('v2');
    });

    it('returns undefined when EKS lists no version', async () => {
      const { mock, port } = setup();
      mock.on(DescribeAddonVersionsCommand).resolves({ addons: [] });

      await expect(port.defaultAddonVersion('coredns', '1.33')).resolves.toBeUndefined();
    });
  });

  describe('clusterVersions', () => {
    it('reads every page of every version, supported or not, with its dates as instants and its status', async () => {
      const { mock, port } = setup();
      mock.on(DescribeClusterVersionsCommand, { includeAll: true, nextToken: undefined }).resolves({
        clusterVersions: [{ clusterVersion: '1.34', releaseDate: new Date('2025-10-02T00:00:00Z'), endOfStandardSupportDate: new Date('2026-12-02T00:00:00Z'), endOfExtendedSupportDate: new Date('2027-12-02T00:00:00Z'), versionStatus: 'STANDARD_SUPPORT', defaultVersion: true }],
        nextToken: 'page-2',
      });
      mock.on(DescribeClusterVersionsCommand, { includeAll: true, nextToken: 'page-2' }).resolves({ clusterVersions: [{ clusterVersion: '1.30', status: 'unsupported' }] });

      await expect(port.clusterVersions()).resolves.toEqual([
        { version: '1.34', releaseDate: '2025-10-02T00:00:00.000Z', endOfStandardSupport: '2026-12-02T00:00:00.000Z', endOfExtendedSupport: '2027-12-02T00:00:00.000Z', status: 'STANDARD_SUPPORT', defaultVersion: true },
        { version: '1.30', status: 'UNSUPPORTED', defaultVersion: false },
      ]);
    });

    it('names the failure when EKS cannot answer', async () => {
      const { mock, port } = setup();
      mock.on(DescribeClusterVersionsCommand).rejects(new ServerException({ $metadata: { ...metadata, httpStatusCode: 500 }, message: 'internal' }));

      const error = await rejectionOf(port.clusterVersions());

      expect(error.name).toBe('AwsUnavailableError');
      expect(error.message).toContain('cluster versions');
    });
  });

  describe('putAccessEntry', () => {
    const entry = { clusterName: CLUSTER, principalArn: 'arn:aws:iam::111122223333:role/deployer', username: 'deployer', kubernetesGroups: ['deployers', 'viewers'], clientRequestToken: 'eksp-token' };

    it('creates a new entry', async () => {
      const { mock, port } = setup();
      mock.on(CreateAccessEntryCommand).resolves({});

      await port.putAccessEntry(entry);

      expect(mock).toHaveReceivedCommandWith(CreateAccessEntryCommand, entry);
      expect(mock).not.toHaveReceivedCommand(UpdateAccessEntryCommand);
    });

    it('leaves an existing entry alone when it already has the groups and username (in any order)', async () => {
      const { mock, port } = setup();
      mock.on(CreateAccessEntryCommand).rejects(inUse('The specified access entry resource is already in use on this cluster.'));
      mock.on(DescribeAccessEntryCommand).resolves({ accessEntry: { principalArn: entry.principalArn, username: 'deployer', kubernetesGroups: ['viewers', 'deployers'] } });

      await port.putAccessEntry(entry);

      expect(mock).not.toHaveReceivedCommand(UpdateAccessEntryCommand);
    });

    it('updates an existing entry whose groups differ', async () => {
      const { mock, port } = setup();
      mock.on(CreateAccessEntryCommand).rejects(inUse('The specified access entry resource is already in use on this cluster.'));
      mock.on(DescribeAccessEntryCommand).resolves({ accessEntry: { principalArn: entry.principalArn, username: 'deployer', kubernetesGroups: ['old-group'] } });
      mock.on(UpdateAccessEntryCommand).resolves({});

      await port.putAccessEntry(entry);

      expect(mock).toHaveReceivedCommandWith(UpdateAccessEntryCommand, { clusterName: CLUSTER, principalArn: entry.principalArn, kubernetesGroups: ['deployers', 'viewers'], username: 'deployer', clientRequestToken: 'eksp-token' });
    });

    it('names other refusals with the access entry first', async () => {
      const { mock, port } = setup();
      mock.on(CreateAccessEntryCommand).rejects(new InvalidParameterException({ $metadata: metadata, message: 'The principal does not exist' }));

      const error = await rejectionOf(port.putAccessEntry(entry));

      expect(error.name).toBe('AwsRequestError');
      expect(error.message).toBe(`access entry ${entry.principalArn}: InvalidParameterException: The principal does not exist`);
    });
  });

  it('associates an access policy as asked', async () => {
    const { mock, port } = setup();
    mock.on(AssociateAccessPolicyCommand).resolves({});
    const input = { clusterName: CLUSTER, principalArn: 'arn:aws:iam::111122223333:user/viewer', policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace' as const, namespaces: ['apps'] } };

    await port.associateAccessPolicy(input);

    expect(mock).toHaveReceivedCommandWith(AssociateAccessPolicyCommand, input);
  });

  describe('listAssociatedAccessPolicies', () => {
    const principalArn = 'arn:aws:iam::111122223333:user/viewer';

    it('lists every associated policy with its scope, across pages', async () => {
      const { mock, port } = setup();
      const view = { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'namespace' as const, namespaces: ['apps'] } };
      const edit = { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy', accessScope: { type: 'cluster' as const } };
      mock.on(ListAssociatedAccessPoliciesCommand).resolvesOnce({ associatedAccessPolicies: [view], nextToken: 'p2' }).resolvesOnce({ associatedAccessPolicies: [edit] });

      expect(await port.listAssociatedAccessPolicies(CLUSTER, principalArn)).toEqual([view, edit]);
      expect(mock).toHaveReceivedNthCommandWith(2, ListAssociatedAccessPoliciesCommand, { clusterName: CLUSTER, principalArn, nextToken: 'p2' });
    });

    it('lists none for an entry that does not exist', async () => {
      const { mock, port } = setup();
      mock.on(ListAssociatedAccessPoliciesCommand).rejects(notFound('No access entry found'));

      expect(await port.listAssociatedAccessPolicies(CLUSTER, principalArn)).toEqual([]);
    });
  });

  it('names EKS throttling ThrottlingError and a 5xx AwsUnavailableError', async () => {
    const { mock, port } = setup();
    mock
      .on(DescribeClusterCommand)
      .rejectsOnce(new ServerException({ $metadata: { httpStatusCode: 500 }, message: 'internal' }))
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 } }));

    const unavailable = await rejectionOf(port.describeCluster(CLUSTER));
    const throttled = await rejectionOf(port.describeCluster(CLUSTER));

    expect(unavailable.name).toBe('AwsUnavailableError');
    expect(throttled.name).toBe('ThrottlingError');
    expect(throttled.message).toBe('cluster demo: TooManyRequestsException: Rate exceeded');
  });

  describe('Pod Identity associations', () => {
    const request = { clusterName: CLUSTER, namespace: 'payments', serviceAccount: 'api', roleArn: 'arn:aws:iam::111122223333:role/api', clientRequestToken: 'eksp-token' };

    it('creates with the request as given and answers the association', async () => {
      const { mock, port } = setup();
      mock.on(CreatePodIdentityAssociationCommand).resolves({ association: { associationId: 'a-1', roleArn: request.roleArn } });

      expect(await port.createPodIdentityAssociation(request)).toEqual({ associationId: 'a-1', roleArn: request.roleArn });
      expect(mock).toHaveReceivedCommandWith(CreatePodIdentityAssociationCommand, request);
    });

    it('finds the service account’s association with both filters, ignoring any other the answer holds', async () => {
      const { mock, port } = setup();
      mock.on(ListPodIdentityAssociationsCommand).resolves({ associations: [{ namespace: 'payments', serviceAccount: 'api-old', associationId: 'a-0' }, { namespace: 'payments', serviceAccount: 'api', associationId: 'a-1' }] });

      expect(await port.findPodIdentityAssociation(CLUSTER, 'payments', 'api')).toMatchObject({ associationId: 'a-1' });
      expect(mock).toHaveReceivedCommandWith(ListPodIdentityAssociationsCommand, { clusterName: CLUSTER, namespace: 'payments', serviceAccount: 'api' });
    });

    it('answers undefined for an association EKS does not know, and counts one already gone as deleted', async () => {
      const { mock, port } = setup();
      mock.on(DescribePodIdentityAssociationCommand).rejects(notFound('association not found'));
      mock.on(DeletePodIdentityAssociationCommand).rejects(notFound('association not found'));

      expect(await port.describePodIdentityAssociation(CLUSTER, 'a-9')).toBeUndefined();
      await expect(port.deletePodIdentityAssociation(CLUSTER, 'a-9')).resolves.toBeUndefined();
    });

    it('names a refused role terminal, with the service account', async () => {
      const { mock, port } = setup();
      mock.on(CreatePodIdentityAssociationCommand).rejects(new InvalidParameterException({ $metadata: { ...metadata, httpStatusCode: 400 }, message: 'Trust policy of the role provided is invalid.' }));

      const error = await rejectionOf(port.createPodIdentityAssociation(request));

      expect(error.name).toBe('AwsRequestError');
      expect(error.message).toContain('Pod Identity association payments/api');
    });
  });
});
