/**
 * The local EC2 endpoint (ec2Query, Version 2016-11-15). state.ts reads and makes the records on
 * the World, security-group-rules.ts and instances.ts their rules and lifecycles, api.ts answers
 * the operations with renderers.ts; nodegroup-capacity.ts and control-plane-network.ts are what
 * EKS makes in the account; default-network.ts the default VPC; vpc-endpoints.ts the VPC
 * endpoints CloudFormation makes, and service-reach.ts whether a subnet reaches an AWS service.
 */
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { createQueryService } from '../../query';
import { OPERATIONS } from './api';
import { EC2_VERSION } from './state';

export { EC2_OPERATIONS } from './api';
export { EC2_VERSION, availabilityZoneId } from './state';
export { seedDefaultNetwork, type DefaultNetwork } from './default-network';
export { awsServiceReachable } from './service-reach';

export function createEc2Service(world: World): ServiceModule {
  return createQueryService(world, { name: 'ec2', protocol: 'ec2Query', version: EC2_VERSION, throttleCode: 'RequestLimitExceeded', operations: OPERATIONS });
}
