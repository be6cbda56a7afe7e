/** What the HTTP simulators of outside services (BHYT, bank, e-invoice, portal) share. */
import type http from 'node:http';

/** Answers `body` as JSON with `status`. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Stops listening and drops the connections still open (a client's keep-alive would hold the close). */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
