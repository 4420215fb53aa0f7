/**
 * The Backstage backend module: registers the eks-provisioner actions with the scaffolder, reaching
 * the API that app-config's `eksProvisioner` names (config.d.ts).
 */
import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { eksProvisionerActions } from './actions';
import { apiSource } from './api';

export const eksProvisionerScaffolderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'eks-provisioner',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint, config: coreServices.rootConfig },
      async init({ scaffolder, config }) {
        const settings = config.getOptionalConfig('eksProvisioner');
        const api = apiSource({
          endpoint: settings?.getOptionalString('endpoint'),
          stack: settings?.getOptionalString('stack'),
          region: settings?.getOptionalString('region'),
          consoleUrl: settings?.getOptionalString('consoleUrl'),
        });
        const pollIntervalSeconds = settings?.getOptionalNumber('pollIntervalSeconds');
        scaffolder.addActions(...eksProvisionerActions(api, pollIntervalSeconds === undefined ? {} : { pollIntervalMs: pollIntervalSeconds * 1000 }));
      },
    });
  },
});
