export { setup as default } from './tool-probes';
