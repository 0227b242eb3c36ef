/**
 * An OAuth 2.0 token endpoint on 127.0.0.1 for the client-credentials grant: it checks the
 * client's credentials, hands out numbered tokens and records every request. Tests change
 * what it answers (lifetime, status, body) and can hold answers back to see concurrency.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface TokenEndpoint {
  url: string;
  /** Every request received: its Authorization header and form fields. */
  requests: Array<{ authorization: string | undefined; form: Record<string, string> }>;
  /** expires_in of the next tokens (undefined: leave it out). */
  expiresIn: number | undefined;
  /** When set, answer with this status and body instead of a token. */
  failWith: { status: number; body: string } | undefined;
  /** When set, hold every answer until release() is called. */
  hold: boolean;
  release(): void;
  /** Resolves when the endpoint has received `n` requests in total. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

export const CLIENT_ID = 'mimtrust-gw';
export const CLIENT_SECRET = 's3cret:with spaces';

function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve(Object.fromEntries(new URLSearchParams(text))));
  });
}

export async function startTokenEndpoint(): Promise<TokenEndpoint> {
  let issued = 0;
  let held: Array<() => void> = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const expectedBasic = 'Basic ' + Buffer.from(`${CLIENT_ID}:${encodeURIComponent(CLIENT_SECRET).replace(/%20/g, '+')}`).toString('base64');
  const ep: TokenEndpoint = {
    url: '',
    requests: [],
    expiresIn: 300,
    failWith: undefined,
    hold: false,
    release() {
      const h = held;
      held = [];
      for (const answer of h) answer();
    },
    received(n) {
      if (ep.requests.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => void readForm(req).then((form) => {
    ep.requests.push({ authorization: req.headers.authorization, form });
    for (const w of waiters.filter((x) => ep.requests.length >= x.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    const answer = (): void => {
      if (ep.failWith) {
        res.writeHead(ep.failWith.status, { 'content-type': 'application/json' }).end(ep.failWith.body);
        return;
      }
      const basicOk = req.headers.authorization === expectedBasic;
      const postOk = form.client_id === CLIENT_ID && form.client_secret === CLIENT_SECRET;
      if (form.grant_type !== 'client_credentials' || !(basicOk || postOk)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      issued++;
      const body: Record<string, unknown> = { access_token: `broker-token-${issued}`, token_type: 'Bearer' };
      if (ep.expiresIn !== undefined) body.expires_in = ep.expiresIn;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    if (ep.hold) held.push(answer);
    else answer();
  }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ep.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
  ep.close = () => new Promise((r) => { ep.release(); server.closeAllConnections(); server.close(() => r()); });
  return ep;
}
