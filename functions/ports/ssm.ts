/**
 * The one SSM call the service makes: GetParameter on AWS's public parameters, where EKS
 * publishes the recommended EKS optimized AMI of each Kubernetes version
 * (/aws/service/eks/optimized-ami/...). A self-managed nodegroup boots that AMI unless its spec
 * names one.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { classifyAwsError, isAwsError } from '../shared/errors';
import { once } from '../shared/once';

export interface SsmPort {
  /** The parameter's value; undefined when SSM has no such parameter (ParameterNotFound). */
  getParameter(name: string): Promise<string | undefined>;
}

export class SdkSsm implements SsmPort {
  constructor(private readonly client: () => SSMClient) {}

  async getParameter(name: string): Promise<string | undefined> {
    try {
      const { Parameter } = await this.client().send(new GetParameterCommand({ Name: name }));
      return Parameter?.Value;
    } catch (error) {
      if (isAwsError(error, 'ParameterNotFound')) return undefined;
      throw classifyAwsError(error, `SSM parameter ${name}`);
    }
  }
}

export const sdkSsm = once((): SsmPort => new SdkSsm(once(() => new SSMClient({}))));
