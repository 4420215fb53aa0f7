/**
 * The local IAM endpoint (awsQuery, Version 2010-05-08, signing name `iam`): read-only views of
 * the roles, managed policies and instance profiles CloudFormation made in world.iam. See
 * state.ts for the lookups, api.ts for the actions, shapes.ts for the answers; the dispatch is
 * query/dispatch.ts.
 */
import { createQueryService } from '../../query';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { API_VERSION, NAMESPACE, operationsOver } from './api';
import { IamReads } from './state';

export { ACTIONS as IAM_ACTIONS, NAMESPACE as IAM_NAMESPACE } from './api';
export { IamReads, roleIdFor } from './state';

export function createIamService(world: World): ServiceModule {
  return createQueryService(world, {
    name: 'iam',
    protocol: 'awsQuery',
    namespace: NAMESPACE,
    version: API_VERSION,
    checkVersion: false,
    throttleCode: 'Throttling',
    operations: operationsOver(new IamReads(world)),
  });
}
