import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the loopback feed server answers, changed by the test between pulls. */
export interface FeedServerState {
  body: string;
  /** Send an ETag (the body's version) and honour If-None-Match with 304. */
  etag: boolean;
  /** The next N requests get HTTP 500. */
  failNext: number;
}

export interface FeedServer {
  url: string;
  state: FeedServerState;
  /** Every request's headers, in order. */
  requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A feed on 127.0.0.1 that serves changing content, ETags, 304s and failures. */
export async function startFeedServer(body: string): Promise<FeedServer> {
  const state: FeedServerState = { body, etag: true, failNext: 0 };
  const requests: IncomingHttpHeaders[] = [];
  let version = 0;
  let served = '';
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    if (state.failNext > 0) {
      state.failNext -= 1;
      res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream broken');
      return;
    }
    if (state.body !== served) {
      served = state.body;
      version += 1;
    }
    const etag = `"v${version}"`;
    if (state.etag && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv', ...(state.etag ? { etag } : {}) }).end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.csv`,
    state,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
