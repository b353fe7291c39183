// Small node:http helpers shared by the simulator's servers: body reading, JSON answers, and the
// fault gate (latency, 5xx, hanging requests) applied before any API handler runs.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ApiTarget, FaultState } from './faults.js';

export async function readBody(req: IncomingMessage, limit = 5 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Requests held open by the timeout fault; destroyed when the fault is cleared or the server closes. */
export class HangingRequests {
  private readonly held = new Set<ServerResponse>();
  add(res: ServerResponse): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }
  releaseAll(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
  }
}

/**
 * Counts the request, then applies injected HTTP faults. Returns true when the request was consumed (answered with an error
 * or left hanging) and must not be handled.
 */
export async function applyHttpFaults(
  target: ApiTarget,
  faults: FaultState,
  res: ServerResponse,
  hanging: HangingRequests,
  errorBody: (status: number) => { contentType: string; body: string },
): Promise<boolean> {
  faults.countRequest(target, res.req.method ?? 'GET', res.req.url ?? '/');
  const d = faults.decide(target);
  if (d.latencyMs > 0) await new Promise((r) => setTimeout(r, d.latencyMs));
  if (d.outcome === 'timeout') {
    hanging.add(res);
    return true;
  }
  if (d.outcome === 'error') {
    const { contentType, body } = errorBody(d.status);
    res.writeHead(d.status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  }
  return false;
}

/** Starts listening; resolves with the port (0 = any free port). */
export function listen(server: Server | HttpsServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes the server and every open connection. */
export function closeServer(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
