/**
 * Where the API is: an explicit URL, EKSP_ENDPOINT, the `ApiUrl` output of a deployed stack, or
 * local mode's default. Local mode takes no signature (its adapter acts as the local developer);
 * anything else is the deployed API behind AWS_IAM and gets SigV4.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { regionOfApiUrl, sigV4Signer, type RequestSigner } from './signing';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';
/** The CfnOutput of infra/provisioner-stack.ts that holds the API's base URL. */
export const API_URL_OUTPUT = 'ApiUrl';

export interface EndpointChoice {
  /** --endpoint */
  endpoint?: string;
  /** --stack: a deployed eks-provisioner stack whose ApiUrl output is the endpoint. */
  stack?: string;
  /** --region, for the stack lookup and signing when the URL does not say. */
  region?: string;
  env: NodeJS.ProcessEnv;
}

export interface ResolvedEndpoint {
  baseUrl: string;
  signer?: RequestSigner;
}

export function isLocalEndpoint(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname);
}

export async function resolveEndpoint(choice: EndpointChoice, lookUpStackUrl = stackApiUrl): Promise<ResolvedEndpoint> {
  const region = choice.region ?? choice.env.AWS_REGION ?? choice.env.AWS_DEFAULT_REGION;
  const given = choice.endpoint ?? (choice.stack ? await lookUpStackUrl(choice.stack, region) : undefined) ?? choice.env.EKSP_ENDPOINT ?? DEFAULT_ENDPOINT;
  const url = new URL(given);
  const baseUrl = url.toString().replace(/\/+$/, '');
  if (isLocalEndpoint(url)) return { baseUrl };
  return { baseUrl, signer: sigV4Signer({ region: regionOfApiUrl(url) ?? region ?? 'us-east-1' }) };
}

/** The stack's ApiUrl output, read with the caller's own AWS credentials. */
export async function stackApiUrl(stackName: string, region: string | undefined): Promise<string> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === API_URL_OUTPUT)?.OutputValue;
    if (!output) throw new Error(`stack ${stackName} has no ${API_URL_OUTPUT} output: is it an eks-provisioner stack?`);
    return output;
  } finally {
    cloudFormation.destroy();
  }
}
