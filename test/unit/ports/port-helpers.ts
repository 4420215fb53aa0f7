/** What the port tests share. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const metadata = { httpStatusCode: 400, requestId: 'req-1' };

export { rejectionOf } from '../../support/rejection';

export interface Seen {
  method?: string;
  authorization?: string;
  contentType?: string;
  form: URLSearchParams;
}

/** A loopback EC2 endpoint answering canned ec2Query replies in turn (the last one again once they run out), recording what it was sent. */
export async function ec2Endpoint(replies: Array<[status: number, xml: string]>): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, authorization: req.headers.authorization, contentType: req.headers['content-type'], form: new URLSearchParams(Buffer.concat(chunks).toString()) });
      const [status, xml] = replies[Math.min(seen.length - 1, replies.length - 1)]!;
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

