import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: any;
  /** The X-Dgascope-Signature header matched HMAC-SHA256(secret, "<timestamp>.<body>"). */
  signatureValid: boolean;
}

export interface WebhookReceiver {
  url: string;
  /** Set once the webhook is created (the secret is shown then). */
  secret: string;
  /** The next N requests get HTTP 503. */
  failNext: number;
  received: Received[];
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that checks each delivery's signature as a user's would. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    secret: '',
    failNext: 0,
    received: [],
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (receiver.failNext > 0) {
        receiver.failNext -= 1;
        res.writeHead(503).end('busy');
        return;
      }
      const raw = Buffer.concat(chunks);
      const expected = `sha256=${createHmac('sha256', receiver.secret)
        .update(`${String(req.headers['x-dgascope-timestamp'])}.`)
        .update(raw)
        .digest('hex')}`;
      receiver.received.push({
        headers: req.headers,
        body: JSON.parse(raw.toString('utf8')),
        signatureValid: req.headers['x-dgascope-signature'] === expected,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}
