// A tiny HTTP proxy in front of s3rver: counts requests and can answer some itself (an HTML error
// page instead of an object, as a captive portal or a broken gateway would). Everything else is
// forwarded untouched, so the real server still does the work.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Proxy {
  endpoint: string;
  requests: { method: string; url: string; status: number }[];
  /** Answer a request instead of the server (return undefined to forward it). */
  intercept?: (req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; body: string } | undefined;
  close(): Promise<void>;
}

export async function startProxy(target: () => string): Promise<Proxy> {
  const proxy: Proxy = {
    endpoint: '',
    requests: [],
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = http.createServer((req, res) => {
    const answer = proxy.intercept?.(req);
    if (answer) {
      req.resume();
      proxy.requests.push({ method: req.method!, url: req.url!, status: answer.status });
      res.writeHead(answer.status, { 'content-length': Buffer.byteLength(answer.body), ...answer.headers });
      res.end(answer.body);
      return;
    }
    const t = new URL(target());
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      proxy.requests.push({ method: req.method!, url: req.url!, status: ur.statusCode ?? 0 });
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => {
      res.destroy();
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
