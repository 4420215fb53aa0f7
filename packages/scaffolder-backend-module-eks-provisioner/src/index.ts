/** Backstage scaffolder actions for eks-provisioner; the default export is the backend module (`backend.add(import(...))`). */
export { eksProvisionerScaffolderModule as default } from './module';
export { CREATE_CLUSTER_ACTION, DELETE_CLUSTER_ACTION, OperationFailedError, StoppedFollowingError, WAIT_ACTION, eksProvisionerActions } from './actions';
export { apiFromClient, apiSource, type ApiSource, type EksProvisionerApi, type EksProvisionerSettings } from './api';
