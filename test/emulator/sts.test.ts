/**
 * The local STS (awsQuery) through the real @aws-sdk/client-sts, and the presigned
 * GetCallerIdentity GET that an EKS token carries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { kubernetesToken, TOKEN_PREFIX } from '../../functions/ports/kubernetes-token';
import { createStsService, stsIdentities, trustAllows } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator, type ServiceModule } from '../../local/emulator/server';
import { EmulatorError } from '../../local/emulator/protocol';
import { World } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';
import { awsCli } from '../support/aws-tools';
import { itWith, tools } from '../support/third-party';

const ACCOUNT = '000000000000';
const DEVELOPER = { accessKeyId: 'AKIDSTSTEST', secretAccessKey: 'sts-test-secret' };
const MAPPED = { accessKeyId: 'AKIDMAPPED', secretAccessKey: 'mapped-secret' };

let emulator: RunningEmulator;
let world: World;
let sts: ServiceModule;
const clients: STSClient[] = [];
const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
  const made = new STSClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(made);
  return made;
};

/** Replays a presigned URL the way the emulator's router hands a GET to the STS module. */
async function presignedGet(url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  let status = 0;
  let body = '';
  const res = {
    headersSent: false,
    writeHead(code: number) {
      status = code;
      return res;
    },
    end(text: string) {
      body = text;
    },
  } as unknown as ServerResponse;
  const req = { method: 'GET', headers: { host: url.host, ...headers } } as unknown as IncomingMessage;
  try {
    await sts.handle({ req, res, url, body: '', signing: {}, world });
  } catch (error) {
    sts.renderError(res, error as EmulatorError);
  }
  return { status, body };
}

beforeAll(async () => {
  world = new World({ timeScale: 0.001 });
  sts = createStsService(world, { callers: { [MAPPED.accessKeyId]: `arn:aws:iam::${ACCOUNT}:user/platform/alice` }, credentials: { [DEVELOPER.accessKeyId]: DEVELOPER.secretAccessKey } });
  emulator = await startEmulator({ timeScale: 0.001, services: [sts] }, world);
  role('node-role', { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  // As CDK renders the CloudFormation execution role: CloudFormation and one function's role may assume it.
  role('cluster-stack-role', { Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com', AWS: [`arn:aws:iam::${ACCOUNT}:role/map-identities-role`] } }] }, '/eksp/');
  role('map-identities-role', { Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] });
  role('account-role', { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
  role('alice-only', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'sts:AssumeRole' }] }));
  role('denies-alice', {
    Statement: [
      { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' },
      { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/platform/alice` }, Action: 'sts:AssumeRole' },
    ],
  });
});

function role(name: string, trust: unknown, path = '/'): void {
  world.iam.roles.set(name, { arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`, roleName: name, path, assumeRolePolicyDocument: trust, managedPolicyArns: [], tags: {} });
}

const keysOf = (credentials: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined) => ({ accessKeyId: credentials!.AccessKeyId!, secretAccessKey: credentials!.SecretAccessKey!, sessionToken: credentials!.SessionToken! });
const assume = (keys: Parameters<typeof client>[0], roleName: string, path = '/') => client(keys).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role${path}${roleName}`, RoleSessionName: 'session' }));

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  emulator.server.closeAllConnections();
  await emulator.close();
});

describe('STS', () => {
  it('says an unknown key is the local developer and a configured key is its mapped identity', async () => {
    const developer = await client(DEVELOPER).send(new GetCallerIdentityCommand({}));
    const mapped = await client(MAPPED).send(new GetCallerIdentityCommand({}));

    expect(developer).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/local-developer`, UserId: expect.stringMatching(/^AIDA[A-Z0-9]{17}$/) });
    expect(mapped.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/platform/alice`);
    expect(world.calls).toContain('sts:GetCallerIdentity');
  });

  it('assumes a role whose trust policy names the caller\'s role: the new key is the assumed-role session, expiring in emulated time', async () => {
    const lambda = stsIdentities(world).issueForService('lambda.amazonaws.com', `arn:aws:iam::${ACCOUNT}:role/map-identities-role`, 'eksp-map-identities', 900);
    const { Credentials, AssumedRoleUser } = await client(lambda).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/eksp/cluster-stack-role`, RoleSessionName: 'map-identities', DurationSeconds: 900 }));
    const assumed = await client(keysOf(Credentials)).send(new GetCallerIdentityCommand({}));

    expect(lambda.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/map-identities-role/eksp-map-identities`);
    expect(Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/cluster-stack-role/map-identities`);
    expect(assumed.Arn).toBe(AssumedRoleUser!.Arn);
    expect(assumed.UserId).toBe(AssumedRoleUser!.AssumedRoleId);
    const lifetime = Credentials!.Expiration!.getTime() - world.clock.now().getTime();
    expect(lifetime).toBeGreaterThan(800_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
  });

  it('lets the account root in for any principal of the account, and a named user in for that user only', async () => {
    const byDeveloper = await assume(DEVELOPER, 'account-role');
    const byAlice = await assume(MAPPED, 'alice-only');
    const developerRefused = await rejectionOf(assume(DEVELOPER, 'alice-only'));
    // A session of a role of the account is a principal of the account too.
    const bySession = await assume(keysOf(byDeveloper.Credentials), 'account-role');

    expect(byDeveloper.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/account-role/session`);
    // IAM paths do not matter: alice is user/platform/alice, the trust policy names user/alice.
    expect(byAlice.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/alice-only/session`);
    expect(developerRefused).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(developerRefused.message).toBe(`User: arn:aws:iam::${ACCOUNT}:user/local-developer is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/alice-only`);
    expect(bySession.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/account-role/session`);
  });

  it('refuses a caller the trust policy does not name, an explicit Deny, a role that does not exist, another account\'s role, a service-only role, and a session shorter than 15 minutes', async () => {
    const notTrusted = await rejectionOf(assume(DEVELOPER, 'cluster-stack-role', '/eksp/'));
    const denied = await rejectionOf(assume(MAPPED, 'denies-alice'));
    const missing = await rejectionOf(assume(DEVELOPER, 'no-such-role'));
    const otherAccount = await rejectionOf(client(DEVELOPER).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/admin', RoleSessionName: 'x1' })));
    const serviceRole = await rejectionOf(client(DEVELOPER).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/node-role`, RoleSessionName: 'x1' })));
    const lambdaRole = await rejectionOf(assume(DEVELOPER, 'map-identities-role'));
    const short = await rejectionOf(client(DEVELOPER).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/account-role`, RoleSessionName: 'x1', DurationSeconds: 60 })));

    expect(notTrusted).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(notTrusted.message).toBe(`User: arn:aws:iam::${ACCOUNT}:user/local-developer is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/eksp/cluster-stack-role`);
    expect(denied.name).toBe('AccessDenied');
    expect(missing.name).toBe('AccessDenied');
    expect(otherAccount).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(serviceRole.name).toBe('AccessDenied');
    expect(lambdaRole.name).toBe('AccessDenied');
    expect(short).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
  });

  it('keeps an inline session policy with the session, and refuses one that is not a JSON policy document or is over 2,048 characters', async () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:DeleteSecurityGroup', Resource: '*' }] };
    const withPolicy = (Policy: string) => client(DEVELOPER).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/account-role`, RoleSessionName: 'scoped', Policy }));

    const { Credentials } = await withPolicy(JSON.stringify(policy));
    // The SDK names STS's MalformedPolicyDocument code by its modelled exception.
    const notJson = await rejectionOf(withPolicy('{"Version":'));
    const noStatement = await rejectionOf(withPolicy('{"Version":"2012-10-17"}'));
    const tooLong = await rejectionOf(withPolicy(JSON.stringify({ ...policy, Padding: 'x'.repeat(2048) })));

    expect(stsIdentities(world).issued.get(Credentials!.AccessKeyId!)?.sessionPolicy).toEqual(policy);
    expect(notJson).toMatchObject({ name: 'MalformedPolicyDocumentException', message: 'The policy is not in the valid JSON format.', $metadata: { httpStatusCode: 400 } });
    expect(noStatement).toMatchObject({ name: 'MalformedPolicyDocumentException', $metadata: { httpStatusCode: 400 } });
    expect(tooLong).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    expect(tooLong.message).toMatch(/'policy' failed to satisfy constraint: Member must have length less than or equal to 2048/);
  });

  itWith(tools.awsCli, 'aws')('takes `aws sts assume-role --policy` as STS does: a valid document is kept, a malformed one is MalformedPolicyDocument', async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/account-role`;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:DeleteSecurityGroup', Resource: '*' }] });

    const kept = await awsCli(emulator.url, 'sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-scoped', '--policy', policy);
    const malformed = await awsCli(emulator.url, 'sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-scoped', '--policy', '{"Statement":');

    expect(kept.code).toBe(0);
    const { Credentials } = kept.json as { Credentials: { AccessKeyId: string } };
    expect(stsIdentities(world).issued.get(Credentials.AccessKeyId)?.sessionPolicy).toEqual(JSON.parse(policy));
    expect(malformed.code).not.toBe(0);
    expect(malformed.stderr).toContain('(MalformedPolicyDocument) when calling the AssumeRole operation: The policy is not in the valid JSON format.');
  });

  it('issues a service its role only when the role trusts that service', () => {
    const identities = stsIdentities(world);
    const cloudFormation = identities.issueForService('cloudformation.amazonaws.com', `arn:aws:iam::${ACCOUNT}:role/eksp/cluster-stack-role`, 'AWSCloudFormation', 900);

    expect(cloudFormation.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/cluster-stack-role/AWSCloudFormation`);
    expect(identities.identify(cloudFormation.accessKeyId).arn).toBe(cloudFormation.arn);
    expect(() => identities.issueForService('lambda.amazonaws.com', `arn:aws:iam::${ACCOUNT}:role/eksp/cluster-stack-role`, 'x1', 900)).toThrow(
      `lambda.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/eksp/cluster-stack-role`,
    );
    expect(() => identities.issueForService('lambda.amazonaws.com', `arn:aws:iam::${ACCOUNT}:role/account-role`, 'x1', 900)).toThrow('not authorized');
  });

  it('evaluates trust statements as IAM does: Allow needs sts:AssumeRole, a Condition it cannot evaluate allows nobody', () => {
    const caller = { callerArn: `arn:aws:iam::${ACCOUNT}:user/bob` };
    const allow = (statement: Record<string, unknown>) => trustAllows({ Statement: [{ Effect: 'Allow', ...statement }] }, caller);

    expect(allow({ Principal: '*', Action: 'sts:AssumeRole' })).toBe(true);
    expect(allow({ Principal: { AWS: '*' }, Action: ['sts:TagSession', 'sts:AssumeRole'] })).toBe(true);
    expect(allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'sts:AssumeRoleWithWebIdentity' })).toBe(false);
    expect(allow({ Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' })).toBe(false);
    expect(allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x' } } })).toBe(false);
    expect(allow({ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' })).toBe(false);
    expect(trustAllows({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] }, { service: 'lambda.amazonaws.com' })).toBe(false);
    expect(trustAllows('not json', caller)).toBe(false);
  });

  it('answers the presigned GET of an EKS token with the caller, and refuses it with another cluster id or once expired', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = emulator.url;
    try {
      const token = await kubernetesToken('demo', 'us-east-1', async () => DEVELOPER);
      const url = new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
      const expiredToken = await kubernetesToken('demo', 'us-east-1', async () => DEVELOPER, new Date(Date.now() - 120_000));
      const expiredUrl = new URL(Buffer.from(expiredToken.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));

      const accepted = await presignedGet(url, { 'x-k8s-aws-id': 'demo' });
      const otherCluster = await presignedGet(url, { 'x-k8s-aws-id': 'other' });
      const expired = await presignedGet(expiredUrl, { 'x-k8s-aws-id': 'demo' });

      expect(accepted.status).toBe(200);
      expect(accepted.body).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
      expect(accepted.body).toContain(`<Arn>arn:aws:iam::${ACCOUNT}:user/local-developer</Arn>`);
      expect(otherCluster.status).toBe(403);
      expect(otherCluster.body).toContain('<Code>SignatureDoesNotMatch</Code>');
      expect(expired.status).toBe(403);
      expect(expired.body).toContain('<Code>ExpiredToken</Code>');
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = previous;
    }
  });

  it('answers an unknown action with a well-formed InvalidAction error', async () => {
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0' },
      body: 'Action=GetSessionToken&Version=2011-06-15',
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>InvalidAction</Code>');
  });
});
