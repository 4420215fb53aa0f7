/**
 * The local IAM endpoint over the roles, policies and instance profiles a CloudFormation stack
 * makes: raw awsQuery posts (the repository carries no IAM SDK client), then the AWS CLI and
 * boto3 (botocore's own parsers). Each third-party test shows as skipped, with its reason, when
 * its tool is not installed; required under CI=true.
 */
import { createCloudFormationService, type CloudFormationService } from '../../local/emulator/services/cloudformation';
import { createIamService } from '../../local/emulator/services/iam';
import { createStsService } from '../../local/emulator/services/sts';
import { restoreWorld, snapshotWorld } from '../../local/emulator/persistence';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { awsCli, python, queryPost } from '../support/aws-tools';
import { tools, itWith } from '../support/third-party';

const BOUNDARY = 'arn:aws:iam::000000000000:policy/eks-provisioner/eksp-role-boundary';
const EC2_TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const LOGS_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: '*' }] };
const EXTRA_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' }] };

const TEMPLATE = {
  Resources: {
    NodeRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'eksp-demo-node',
        Path: '/eks-provisioner/',
        Description: 'nodes of demo',
        MaxSessionDuration: 7200,
        AssumeRolePolicyDocument: EC2_TRUST,
        ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly'],
        Policies: [{ PolicyName: 'logs', PolicyDocument: LOGS_POLICY }],
        PermissionsBoundary: BOUNDARY,
        Tags: [{ Key: 'team', Value: 'platform' }],
      },
    },
    AdminRole: {
      Type: 'AWS::IAM::Role',
      Properties: { RoleName: 'eksp-demo-admin', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' }] } },
    },
    ExtraPolicy: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'extra', PolicyDocument: EXTRA_POLICY, Roles: [{ Ref: 'NodeRole' }] } },
    NodeManagedPolicy: { Type: 'AWS::IAM::ManagedPolicy', Properties: { ManagedPolicyName: 'eksp-demo-nodes', Path: '/eks-provisioner/', PolicyDocument: EXTRA_POLICY, Roles: [{ Ref: 'NodeRole' }] } },
    NodeInstanceProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { InstanceProfileName: 'eksp-demo-node', Path: '/eks-provisioner/', Roles: [{ Ref: 'NodeRole' }] } },
  },
  Outputs: { NodeRoleId: { Value: { 'Fn::GetAtt': ['NodeRole', 'RoleId'] } } },
};

let world: World;
let cloudFormation: CloudFormationService;
let emulator: RunningEmulator;

const iam = (action: string, params: Record<string, string> = {}) => queryPost(emulator.url, 'iam', { Action: action, Version: '2010-05-08', ...params });

beforeAll(async () => {
  world = new World({ timeScale: 0.001, seed: 3 });
  // As local mode does: the boundary is put straight into the world (no IAM write API).
  world.iam.policies.set(BOUNDARY, { arn: BOUNDARY, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } });
  cloudFormation = createCloudFormationService(world);
  emulator = await startEmulator({ timeScale: 0.001, services: [cloudFormation, createIamService(world), createStsService(world)] }, world);
  await cloudFormation.warmUp();
  const stack = cloudFormation.engine.createStack({ stackName: 'eksp-demo-cluster', templateBody: JSON.stringify(TEMPLATE), parameters: [], tags: [], capabilities: ['CAPABILITY_NAMED_IAM'], notificationArns: [], enableTerminationProtection: false });
  await stack.work;
  expect(stack.status).toBe('CREATE_COMPLETE');
}, 30_000);

afterAll(async () => {
  await emulator.close();
});

describe('IAM over awsQuery', () => {
  it('GetRole answers what the stack made: ARN with its path, RoleId, URL-encoded trust policy, boundary, tags, session length', async () => {
    const answer = await iam('GetRole', { RoleName: 'eksp-demo-node' });

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>');
    expect(answer.text('Arn')).toBe('arn:aws:iam::000000000000:role/eks-provisioner/eksp-demo-node');
    expect(answer.text('Path')).toBe('/eks-provisioner/');
    expect(answer.text('RoleId')).toMatch(/^AROA[A-Z0-9]{17}$/);
    // Fn::GetAtt RoleId and GetRole agree, as in AWS.
    expect(answer.text('RoleId')).toBe(cloudFormation.engine.require('eksp-demo-cluster').outputs.find((o) => o.OutputKey === 'NodeRoleId')?.OutputValue);
    expect(decodeURIComponent(answer.text('AssumeRolePolicyDocument') ?? '')).toBe(JSON.stringify(EC2_TRUST));
    expect(answer.text('AssumeRolePolicyDocument')).toMatch(/^%7B%22Version%22/);
    expect(answer.text('PermissionsBoundaryArn')).toBe(BOUNDARY);
    expect(answer.text('PermissionsBoundaryType')).toBe('PermissionsBoundaryPolicy');
    expect(answer.text('MaxSessionDuration')).toBe('7200');
    expect(answer.text('Description')).toBe('nodes of demo');
    expect(new Date(answer.text('CreateDate') ?? '').getTime()).not.toBeNaN();
    expect(answer.body).toContain('<Tags><member><Key>');
    expect(answer.body).toContain('<Key>team</Key><Value>platform</Value>');
    expect(answer.body).toContain('<RoleLastUsed></RoleLastUsed>');
  });

  it('a missing role is NoSuchEntity, 404, Sender, in IAM’s words', async () => {
    const answer = await iam('GetRole', { RoleName: 'nobody' });

    expect(answer.status).toBe(404);
    expect(answer.body).toMatch(/<ErrorResponse><Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code><Message>The role with name nobody cannot be found.<\/Message><\/Error><RequestId>/);
  });

  it('a role put straight on the World keeps the creation date IAM first showed', async () => {
    world.iam.roles.set('bare', { arn: 'arn:aws:iam::000000000000:role/bare', roleName: 'bare', path: '/', assumeRolePolicyDocument: EC2_TRUST, managedPolicyArns: [], tags: {} });
    try {
      const first = (await iam('GetRole', { RoleName: 'bare' })).text('CreateDate');
      const second = (await iam('GetRole', { RoleName: 'bare' })).text('CreateDate');

      expect(first).toBeDefined();
      expect(second).toBe(first);
    } finally {
      world.iam.roles.delete('bare');
    }
  });

  it('ListRoles filters by PathPrefix and pages by Marker/MaxItems with IsTruncated', async () => {
    const scoped = await iam('ListRoles', { PathPrefix: '/eks-provisioner/' });
    expect(scoped.all('RoleName')).toEqual(['eksp-demo-node']);
    expect(scoped.text('IsTruncated')).toBe('false');
    expect(scoped.text('Marker')).toBeUndefined();
    // ListRoles leaves out the boundary and tags, as AWS does.
    expect(scoped.body).not.toContain('PermissionsBoundary');

    // By name, as IAM lists them.
    const first = await iam('ListRoles', { MaxItems: '1' });
    expect(first.all('RoleName')).toEqual(['eksp-demo-admin']);
    expect(first.text('IsTruncated')).toBe('true');
    const second = await iam('ListRoles', { MaxItems: '1', Marker: first.text('Marker') ?? '' });
    expect(second.all('RoleName')).toEqual(['eksp-demo-node']);
    expect(second.text('IsTruncated')).toBe('false');

    const badMarker = await iam('ListRoles', { Marker: 'not-a-marker' });
    expect(badMarker.status).toBe(400);
    expect(badMarker.text('Code')).toBe('ValidationError');
    const badMax = await iam('ListRoles', { MaxItems: '0' });
    expect(badMax.text('Message')).toContain("at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it('ListAttachedRolePolicies lists the AWS managed policies and the stack’s managed policy attached to the role', async () => {
    const answer = await iam('ListAttachedRolePolicies', { RoleName: 'eksp-demo-node' });

    expect(answer.all('PolicyName')).toEqual(['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'eksp-demo-nodes']);
    expect(answer.all('PolicyArn')).toContain('arn:aws:iam::000000000000:policy/eks-provisioner/eksp-demo-nodes');
    expect((await iam('ListAttachedRolePolicies', { RoleName: 'eksp-demo-node', PathPrefix: '/eks-provisioner/' })).all('PolicyName')).toEqual(['eksp-demo-nodes']);
    expect((await iam('ListAttachedRolePolicies', { RoleName: 'nobody' })).text('Code')).toBe('NoSuchEntity');
  });

  it('inline policies — the role’s own Policies and an AWS::IAM::Policy naming it — are listed and read back', async () => {
    expect((await iam('ListRolePolicies', { RoleName: 'eksp-demo-node' })).all('member')).toEqual(['extra', 'logs']);

    const extra = await iam('GetRolePolicy', { RoleName: 'eksp-demo-node', PolicyName: 'extra' });
    expect(extra.text('RoleName')).toBe('eksp-demo-node');
    expect(JSON.parse(decodeURIComponent(extra.text('PolicyDocument') ?? ''))).toEqual(EXTRA_POLICY);

    const missing = await iam('GetRolePolicy', { RoleName: 'eksp-demo-node', PolicyName: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.text('Message')).toBe('The role policy with name nope cannot be found.');
  });

  it('GetInstanceProfile and ListInstanceProfilesForRole show the profile with its role', async () => {
    const profile = await iam('GetInstanceProfile', { InstanceProfileName: 'eksp-demo-node' });
    expect(profile.text('Arn')).toBe('arn:aws:iam::000000000000:instance-profile/eks-provisioner/eksp-demo-node');
    expect(profile.text('InstanceProfileId')).toMatch(/^AIPA[A-Z0-9]{17}$/);
    expect(profile.all('RoleName')).toEqual(['eksp-demo-node']);

    const forRole = await iam('ListInstanceProfilesForRole', { RoleName: 'eksp-demo-node' });
    expect(forRole.all('InstanceProfileName')).toEqual(['eksp-demo-node']);
    expect((await iam('ListInstanceProfilesForRole', { RoleName: 'eksp-demo-admin' })).all('InstanceProfileName')).toEqual([]);

    const missing = await iam('GetInstanceProfile', { InstanceProfileName: 'nope' });
    expect([missing.status, missing.text('Code'), missing.text('Message')]).toEqual([404, 'NoSuchEntity', 'Instance Profile nope cannot be found.']);
  });

  it('GetPolicy counts attachments and boundary uses; AWS managed policies are there; an unknown account policy is NoSuchEntity', async () => {
    const managed = await iam('GetPolicy', { PolicyArn: 'arn:aws:iam::000000000000:policy/eks-provisioner/eksp-demo-nodes' });
    expect([managed.text('PolicyName'), managed.text('Path'), managed.text('AttachmentCount'), managed.text('DefaultVersionId')]).toEqual(['eksp-demo-nodes', '/eks-provisioner/', '1', 'v1']);
    expect(managed.text('PolicyId')).toMatch(/^ANPA[A-Z0-9]{17}$/);

    const boundary = await iam('GetPolicy', { PolicyArn: BOUNDARY });
    expect([boundary.text('PolicyName'), boundary.text('AttachmentCount'), boundary.text('PermissionsBoundaryUsageCount')]).toEqual(['eksp-role-boundary', '0', '1']);

    const awsManaged = await iam('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy' });
    expect([awsManaged.text('PolicyName'), awsManaged.text('Path'), awsManaged.text('AttachmentCount')]).toEqual(['AmazonEKSWorkerNodePolicy', '/', '1']);

    const missing = await iam('GetPolicy', { PolicyArn: 'arn:aws:iam::000000000000:policy/nope' });
    expect([missing.status, missing.text('Code'), missing.text('Message')]).toEqual([404, 'NoSuchEntity', 'Policy arn:aws:iam::000000000000:policy/nope does not exist or is not attachable.']);
  });

  it('a session of a role carries the RoleId GetRole shows (AssumedRoleId starts with it)', async () => {
    const roleId = (await iam('GetRole', { RoleName: 'eksp-demo-admin' })).text('RoleId');
    const assumed = await queryPost(emulator.url, 'sts', { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: 'arn:aws:iam::000000000000:role/eksp-demo-admin', RoleSessionName: 'check' });

    expect(assumed.status).toBe(200);
    expect(assumed.text('AssumedRoleId')).toBe(`${roleId}:check`);
  });

  it('an action it does not emulate is InvalidAction, 400, in the protocol’s error shape', async () => {
    const answer = await iam('CreateRole', { RoleName: 'x', AssumeRolePolicyDocument: '{}' });

    expect(answer.status).toBe(400);
    expect([answer.text('Type'), answer.text('Code'), answer.text('Message')]).toEqual(['Sender', 'InvalidAction', 'Could not find operation CreateRole for version 2010-05-08']);
  });

  it('a required member left out is a ValidationError naming it', async () => {
    const answer = await iam('GetRole');

    expect([answer.status, answer.text('Code'), answer.text('Message')]).toEqual([400, 'ValidationError', "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"]);
  });

  it('instance profiles and inline policies survive a save and restore', () => {
    const copy = new World({ timeScale: 0.001 });
    restoreWorld(copy, JSON.parse(JSON.stringify(snapshotWorld(world))));

    expect(copy.iam.instanceProfiles.get('eksp-demo-node')).toEqual(world.iam.instanceProfiles.get('eksp-demo-node'));
    expect(copy.iam.instanceProfiles.get('eksp-demo-node')?.createDate).toBeInstanceOf(Date);
    expect(copy.iam.roles.get('eksp-demo-node')?.inlinePolicies).toEqual({ logs: LOGS_POLICY, extra: EXTRA_POLICY });
  });

  it('deleting the stack takes the roles, inline policies and instance profile away', async () => {
    const scratch = new World({ timeScale: 0.001 });
    scratch.iam.policies.set(BOUNDARY, { arn: BOUNDARY, document: {} });
    const engine = createCloudFormationService(scratch).engine;
    await engine.warmUp();
    const stack = engine.createStack({ stackName: 'scratch', templateBody: JSON.stringify(TEMPLATE), parameters: [], tags: [], capabilities: ['CAPABILITY_NAMED_IAM'], notificationArns: [], enableTerminationProtection: false });
    await stack.work;
    expect(scratch.iam.instanceProfiles.size).toBe(1);

    engine.deleteStack('scratch', undefined, []);
    await stack.work;

    expect(stack.status).toBe('DELETE_COMPLETE');
    expect(scratch.iam.instanceProfiles.size).toBe(0);
    expect(scratch.iam.roles.size).toBe(0);
  }, 20_000);
});

describe('the AWS CLI against the local IAM endpoint', () => {
  itWith(tools.awsCli, 'the AWS CLI')('get-role, list-attached-role-policies, get-instance-profile, and errors print as AWS’s', async () => {
    // Each CLI start takes about a second: the calls run side by side.
    const [role, attached, profile, missing, unknown] = await Promise.all([
      awsCli(emulator.url, 'iam', 'get-role', '--role-name', 'eksp-demo-node'),
      awsCli(emulator.url, 'iam', 'list-attached-role-policies', '--role-name', 'eksp-demo-node'),
      awsCli(emulator.url, 'iam', 'get-instance-profile', '--instance-profile-name', 'eksp-demo-node'),
      awsCli(emulator.url, 'iam', 'get-role', '--role-name', 'nobody'),
      awsCli(emulator.url, 'iam', 'create-user', '--user-name', 'someone'),
    ]);

    expect(role).toMatchObject({ code: 0 });
    expect(role.json).toMatchObject({
      Role: {
        RoleName: 'eksp-demo-node',
        Path: '/eks-provisioner/',
        Arn: 'arn:aws:iam::000000000000:role/eks-provisioner/eksp-demo-node',
        RoleId: expect.stringMatching(/^AROA/),
        AssumeRolePolicyDocument: EC2_TRUST,
        PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY },
        MaxSessionDuration: 7200,
        Tags: expect.arrayContaining([{ Key: 'team', Value: 'platform' }]),
        RoleLastUsed: {},
      },
    });
    expect(attached.json).toEqual({
      AttachedPolicies: [
        { PolicyName: 'AmazonEKSWorkerNodePolicy', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy' },
        { PolicyName: 'AmazonEC2ContainerRegistryReadOnly', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' },
        { PolicyName: 'eksp-demo-nodes', PolicyArn: 'arn:aws:iam::000000000000:policy/eks-provisioner/eksp-demo-nodes' },
      ],
    });
    expect(profile.json).toMatchObject({ InstanceProfile: { InstanceProfileName: 'eksp-demo-node', Roles: [{ RoleName: 'eksp-demo-node', AssumeRolePolicyDocument: EC2_TRUST }], Tags: [] } });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe('An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name nobody cannot be found.');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim()).toBe('An error occurred (InvalidAction) when calling the CreateUser operation: Could not find operation CreateUser for version 2010-05-08');
  }, 60_000);
});

describe('boto3 against the local IAM endpoint', () => {
  itWith(tools.boto3, 'python3 with boto3')('the paginators walk ListRoles by Marker, and documents come back as dicts', async () => {
    const script = `
import boto3, json, sys
iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1')
pages = list(iam.get_paginator('list_roles').paginate(PaginationConfig={'PageSize': 1}))
policy = iam.get_role_policy(RoleName='eksp-demo-node', PolicyName='logs')
print(json.dumps({'pages': [[r['RoleName'] for r in p['Roles']] for p in pages], 'document': policy['PolicyDocument']}))
`;
    const result = await python<{ pages: string[][]; document: unknown }>(emulator.url, script, emulator.url);

    expect(result.pages).toEqual([['eksp-demo-admin'], ['eksp-demo-node']]);
    expect(result.document).toEqual(LOGS_POLICY);
  }, 30_000);
});
