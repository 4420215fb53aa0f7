export { teardown as default } from './tool-probes';
