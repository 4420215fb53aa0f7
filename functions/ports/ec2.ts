import { DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { classifyAwsError, InvalidSpecError } from '../shared/errors';

export interface SubnetDescription {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
}

export interface Ec2Port {
  /** Throws InvalidSpecError naming each subnet id EC2 does not know. */
  describeSubnets(subnetIds: string[]): Promise<SubnetDescription[]>;
}

export class SdkEc2 implements Ec2Port {
  constructor(private readonly client: () => EC2Client) {}

  async describeSubnets(subnetIds: string[]): Promise<SubnetDescription[]> {
    try {
      const { Subnets } = await this.client().send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
      return (Subnets ?? []).map((s) => ({ subnetId: s.SubnetId ?? '', vpcId: s.VpcId ?? '', availabilityZone: s.AvailabilityZone ?? '', cidrBlock: s.CidrBlock ?? '' }));
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (e.name === 'InvalidSubnetID.NotFound') {
        const missing = subnetIds.filter((id) => e.message?.includes(id));
        throw new InvalidSpecError((missing.length ? missing : subnetIds).map((id) => ({ pointer: '/network/subnets', message: `${id} does not exist in this account and region` })));
      }
      throw classifyAwsError(error, `subnets ${subnetIds.join(', ')}`);
    }
  }
}
