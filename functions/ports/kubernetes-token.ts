/**
 * The bearer token EKS accepts (what `aws eks get-token` prints): "k8s-aws-v1." + base64url of a
 * presigned STS GetCallerIdentity URL, signed with the header x-k8s-aws-id: <cluster name>,
 * valid 60 seconds. The Kubernetes API authenticates the caller by replaying the URL.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { principalOf } from '../domain/caller';
import { classifyAwsError } from '../shared/errors';
import { assumedRoleCredentials, type CredentialSource } from './assumed-role';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';


/** The STS endpoint the SDK would use: AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL first (local mode). */
export function stsEndpoint(region: string): URL {
  const override = process.env.AWS_ENDPOINT_URL_STS || process.env.AWS_ENDPOINT_URL;
  return new URL(override || `https://sts.${region}.amazonaws.com/`);
}

export async function kubernetesToken(clusterName: string, region: string, credentials: CredentialSource, now = new Date()): Promise<string> {
  const endpoint = stsEndpoint(region);
  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname,
      headers: { host: endpoint.host, [CLUSTER_ID_HEADER]: clusterName },
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    },
    { expiresIn: 60, signingDate: now },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const url = `${endpoint.protocol}//${endpoint.host}${endpoint.pathname}?${query}`;
  return TOKEN_PREFIX + Buffer.from(url).toString('base64url');
}

/**
 * Credentials to talk to the Kubernetes API as: an assumed role when configured (the identity
 * the cluster was created by, which EKS makes cluster-admin), otherwise the function's own.
 */
export function kubernetesCredentials(sts: () => STSClient, roleArn: string | undefined): CredentialSource {
  if (!roleArn) return defaultProvider();
  return assumedRoleCredentials(sts, { roleArn, sessionName: 'eks-provisioner-identities' });
}

/**
 * The IAM principal the Kubernetes API sees the service as, in the form access entries name it:
 * the role in KUBERNETES_ACCESS_ROLE_ARN when set, else the function's own identity from STS
 * GetCallerIdentity (an assumed-role session maps to its role). Asked once.
 */
export function kubernetesPrincipal(sts: () => STSClient, roleArn: string | undefined): () => Promise<string> {
  let principal: Promise<string> | undefined;
  return () => {
    principal ??= roleArn
      ? Promise.resolve(principalOf(roleArn))
      : sts()
          .send(new GetCallerIdentityCommand({}))
          .then(({ Arn }) => principalOf(Arn!))
          .catch((error: unknown) => {
            principal = undefined;
            throw classifyAwsError(error, 'the service identity');
          });
    return principal;
  };
}
