/** What the port tests share. */

export const metadata = { httpStatusCode: 400, requestId: 'req-1' };

export { rejectionOf } from '../../support/rejection';
