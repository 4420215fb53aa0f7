/** JSON-protocol plumbing shared by the awsJson services (dispatch.ts) and the restJson1 ones (rest-routes.ts). */
export * from './dispatch';
export * from './rest-routes';
