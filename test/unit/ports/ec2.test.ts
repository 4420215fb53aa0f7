import { DescribeSubnetsCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SdkEc2 } from '../../../functions/ports/ec2';
import { metadata, rejectionOf } from './port-helpers';

const ec2Error = (name: string, message: string, status = 400) => new EC2ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { ...metadata, httpStatusCode: status }, message });

function setup() {
  const client = new EC2Client({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new SdkEc2(() => client) };
}

describe('SdkEc2', () => {
  it('describes the subnets asked for: id, VPC, availability zone and CIDR', async () => {
    const { mock, port } = setup();
    mock.on(DescribeSubnetsCommand, { SubnetIds: ['subnet-1', 'subnet-2'] }).resolves({
      Subnets: [
        { SubnetId: 'subnet-1', VpcId: 'vpc-1', AvailabilityZone: 'us-east-1a', CidrBlock: '10.0.0.0/24' },
        { SubnetId: 'subnet-2', VpcId: 'vpc-1', AvailabilityZone: 'us-east-1b', CidrBlock: '10.0.1.0/24' },
      ],
    });

    await expect(port.describeSubnets(['subnet-1', 'subnet-2'])).resolves.toEqual([
      { subnetId: 'subnet-1', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', cidrBlock: '10.0.0.0/24' },
      { subnetId: 'subnet-2', vpcId: 'vpc-1', availabilityZone: 'us-east-1b', cidrBlock: '10.0.1.0/24' },
    ]);
  });

  it('turns InvalidSubnetID.NotFound into InvalidSpecError naming only the unknown subnet', async () => {
    const { mock, port } = setup();
    mock.on(DescribeSubnetsCommand).rejects(ec2Error('InvalidSubnetID.NotFound', "The subnet ID 'subnet-0bad0000000000000' does not exist"));

    const error = await rejectionOf(port.describeSubnets(['subnet-0aaa0000000000001', 'subnet-0bad0000000000000']));

    expect(error.name).toBe('InvalidSpecError');
    expect(error.problems).toEqual([{ pointer: '/network/subnets', message: 'subnet-0bad0000000000000 does not exist in this account and region' }]);
  });

  it('names every subnet asked for when EC2 does not say which is unknown', async () => {
    const { mock, port } = setup();
    mock.on(DescribeSubnetsCommand).rejects(ec2Error('InvalidSubnetID.NotFound', 'The subnet ID does not exist'));

    const error = await rejectionOf(port.describeSubnets(['subnet-1', 'subnet-2']));

    expect((error.problems as Array<{ message: string }>).map((p) => p.message)).toEqual(['subnet-1 does not exist in this account and region', 'subnet-2 does not exist in this account and region']);
  });

  it('names other failures by family, leading with the subnets', async () => {
    const { mock, port } = setup();
    mock.on(DescribeSubnetsCommand).rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503));

    const error = await rejectionOf(port.describeSubnets(['subnet-1']));

    expect(error.name).toBe('ThrottlingError');
    expect(error.message).toBe('subnets subnet-1: RequestLimitExceeded: Request limit exceeded.');
  });
});
