/**
 * The local Elastic Load Balancing v2 endpoint (awsQuery, Version 2015-12-01, signing name
 * `elasticloadbalancing`): the load balancers and target groups a load balancer controller made
 * in a cluster's VPC (made here through /_local/controller-leftovers, controller.ts), read and
 * deleted as ELBv2 does. state.ts holds the rules, api.ts the actions.
 */
import { createQueryService } from '../../query';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { API_VERSION, NAMESPACE, operations } from './api';

export { ACTIONS as ELBV2_ACTIONS } from './api';
export { resumeDeletions as resumeLoadBalancerDeletions } from './state';

export function createElbv2Service(world: World): ServiceModule {
  return createQueryService(world, {
    name: 'elasticloadbalancing',
    protocol: 'awsQuery',
    namespace: NAMESPACE,
    version: API_VERSION,
    // Classic load balancers sign as `elasticloadbalancing` too (Version 2012-06-01): ../elb serves them; here they are refused, not misread.
    checkVersion: true,
    throttleCode: 'Throttling',
    operations: operations(),
  });
}
