/**
 * The local STS (awsQuery) through the real @aws-sdk/client-sts, and the presigned
 * GetCallerIdentity GET that an EKS token carries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { kubernetesToken, TOKEN_PREFIX } from '../../functions/ports/kubernetes-token';
import { createStsService } from '../../local/emulator/services/sts';
import { startEmulator, type RunningEmulator, type ServiceModule } from '../../local/emulator/server';
import { EmulatorError } from '../../local/emulator/protocol';
import { World } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';

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
  world.iam.roles.set('node-role', {
    arn: `arn:aws:iam::${ACCOUNT}:role/node-role`,
    roleName: 'node-role',
    path: '/',
    assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    managedPolicyArns: [],
    tags: {},
  });
});

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

  it('assumes a role of the account: the new key is the assumed-role session, expiring in emulated time', async () => {
    const { Credentials, AssumedRoleUser } = await client(DEVELOPER).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/eksp/cluster-stack-role`, RoleSessionName: 'map-identities', DurationSeconds: 900 }));
    const assumed = await client({ accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! }).send(new GetCallerIdentityCommand({}));

    expect(Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/cluster-stack-role/map-identities`);
    expect(assumed.Arn).toBe(AssumedRoleUser!.Arn);
    expect(assumed.UserId).toBe(AssumedRoleUser!.AssumedRoleId);
    const lifetime = Credentials!.Expiration!.getTime() - world.clock.now().getTime();
    expect(lifetime).toBeGreaterThan(800_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
  });

  it("refuses a role of another account, a role that trusts only a service, and a session shorter than 15 minutes", async () => {
    const otherAccount = await rejectionOf(client(DEVELOPER).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/admin', RoleSessionName: 'x1' })));
    const serviceRole = await rejectionOf(client(DEVELOPER).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/node-role`, RoleSessionName: 'x1' })));
    const short = await rejectionOf(client(DEVELOPER).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/admin`, RoleSessionName: 'x1', DurationSeconds: 60 })));

    expect(otherAccount).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(serviceRole.name).toBe('AccessDenied');
    expect(short).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
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
