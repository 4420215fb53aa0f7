/**
 * The local IAM endpoint (awsQuery, Version 2010-05-08, signing name `iam`): read-only views of
 * the roles, managed policies and instance profiles CloudFormation made in world.iam. See
 * state.ts for the lookups, api.ts for the actions, shapes.ts for the answers.
 */
import type { ServerResponse } from 'node:http';
import { parseForm, sendQueryError, sendQueryResult, type EmulatorError } from '../../protocol';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { NAMESPACE, runAction } from './api';
import { IamReads } from './state';

export { ACTIONS as IAM_ACTIONS, NAMESPACE as IAM_NAMESPACE } from './api';
export { IamReads, roleIdFor } from './state';

export function createIamService(world: World): ServiceModule {
  const reads = new IamReads(world);
  return {
    name: 'iam',
    handle: async (ctx) => {
      // The CLI and SDKs POST a form; a GET with the same query string is accepted too.
      const form = parseForm(ctx.body || ctx.url.search.slice(1));
      const action = form.get('Action') ?? '';
      ctx.world.calls.push(`iam:${action}`);
      ctx.world.faults.checkCall('iam', action, 'Throttling');
      sendQueryResult(ctx.res, action, NAMESPACE, runAction(action, form, reads));
    },
    renderError: (res: ServerResponse, error: EmulatorError) => sendQueryError(res, error.status, error.code, error.message),
  };
}
