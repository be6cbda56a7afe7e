import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pino from 'pino';
import type { BankNotification, Result } from '@kiosk/protocol';
import type { HttpClient, HttpFailure, HttpRequest, HttpResponse } from './http.client';
import {
  HttpBankStatementSource,
  type BankStatementSource,
  type StatementFailure,
  type StatementPage,
} from './bank-statement.adapter';
import { BankStatementPoller, type StatementCursor } from './bank-statement.poller';

const log = pino({ level: 'silent' });

/** An HttpClient answering every request with `answer(req)`. */
const fakeHttp = (answer: (req: HttpRequest) => Result<HttpResponse, HttpFailure>) => {
  const requests: HttpRequest[] = [];
  const http = {
    request: async (req: HttpRequest) => {
      requests.push(req);
      return answer(req);
    },
  } as unknown as HttpClient;
  return { http, requests };
};
const response = (status: number, body: unknown): Result<HttpResponse, HttpFailure> => ({
  ok: true,
  value: { status, headers: {}, body, text: JSON.stringify(body) },
});

const credit = (id: string, bookedAt: string, amountVnd = 150_000): BankNotification => ({
  transactionId: id,
  accountNumber: '0071000000001',
  amountVnd,
  content: `IBFT ${id}`,
  bookedAt,
});

describe('the statement adapter', () => {
  it('never throws on any answer: a page, or a typed failure', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 100, max: 599 }), fc.anything(), async (status, body) => {
        const { http } = fakeHttp(() => response(status, body));
        const source = new HttpBankStatementSource(http, {
          url: 'http://bank/statement',
          timeoutMs: 1000,
          pageSize: 5,
        });
        const r = await source.page('2026-12-06T00:00:00.000Z', undefined);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the well-formed credits of a page and counts the others', async () => {
    const good = credit('FT1', '2026-12-06T01:00:00.000Z');
    const { http, requests } = fakeHttp(() =>
      response(200, { credits: [good, { transactionId: 'FT2', amountVnd: -5 }], nextPage: '2' }),
    );
    const source = new HttpBankStatementSource(http, { url: 'http://bank/statement', timeoutMs: 1000, pageSize: 2 });
    expect(await source.page('2026-12-06T00:00:00.000Z', '2')).toEqual({
      ok: true,
      value: { credits: [good], rejected: 1, nextPage: '2' },
    });
    const asked = new URL(requests[0]?.url ?? '');
    expect(Object.fromEntries(asked.searchParams)).toEqual({
      since: '2026-12-06T00:00:00.000Z',
      limit: '2',
      page: '2',
    });
  });

  it('a 401 is retried once with a fresh token; refused again, it is statement-auth-refused', async () => {
    let tokens = 0;
    const { http, requests } = fakeHttp((req) =>
      req.method === 'POST' ? response(200, { access_token: `tok-${++tokens}`, expires_in: 300 }) : response(401, {}),
    );
    const source = new HttpBankStatementSource(http, {
      url: 'http://bank/statement',
      tokenUrl: 'http://bank/oauth/token',
      clientId: 'c',
      clientSecret: 's',
      timeoutMs: 1000,
      pageSize: 5,
    });
    const r = await source.page('2026-12-06T00:00:00.000Z', undefined);
    expect(r.ok || r.error.code).toBe('statement-auth-refused');
    expect(tokens).toBe(2);
    expect(requests.filter((q) => q.method === 'GET').map((q) => q.headers?.['authorization'])).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });

  it('a network failure or a 5xx is statement-unavailable', async () => {
    const down = fakeHttp(() => ({ ok: false, error: { code: 'http-timeout', message: 'slow' } }));
    const r = await new HttpBankStatementSource(down.http, { url: 'http://b/s', timeoutMs: 10, pageSize: 1 }).page(
      '2026-12-06T00:00:00.000Z',
      undefined,
    );
    expect(r.ok || r.error.code).toBe('statement-unavailable');
    const busy = fakeHttp(() => response(503, {}));
    const r2 = await new HttpBankStatementSource(busy.http, { url: 'http://b/s', timeoutMs: 10, pageSize: 1 }).page(
      '2026-12-06T00:00:00.000Z',
      undefined,
    );
    expect(r2.ok || r2.error.code).toBe('statement-unavailable');
  });
});

/** A statement of `credits`, inclusive `since`, paged by offset like the bank's. */
const fakeSource = (credits: BankNotification[], pageSize: number) => {
  const queries: { since: string; page: string | undefined }[] = [];
  const source: BankStatementSource = {
    page: async (since, page): Promise<Result<StatementPage, StatementFailure>> => {
      queries.push({ since, page });
      const all = credits
        .filter((c) => Date.parse(c.bookedAt) >= Date.parse(since))
        .sort((a, b) => a.bookedAt.localeCompare(b.bookedAt) || a.transactionId.localeCompare(b.transactionId));
      const from = Number(page ?? 0);
      return {
        ok: true,
        value: {
          credits: all.slice(from, from + pageSize),
          rejected: 0,
          nextPage: from + pageSize < all.length ? String(from + pageSize) : undefined,
        },
      };
    },
  };
  return { source, queries };
};

describe('the statement poller', () => {
  const poller = (source: BankStatementSource, store: { cursor?: StatementCursor }, settled: string[]) =>
    new BankStatementPoller(
      source,
      { now: () => new Date('2026-12-06T02:00:00.000Z') },
      {
        intervalMs: 1000,
        lookbackMs: 3600_000 * 24,
        alertAfterFailures: 3,
        maxPagesPerPoll: 50,
        loadCursor: async () => store.cursor,
        saveCursor: async (c) => {
          store.cursor = c;
        },
        settle: async (c) => {
          settled.push(c.transactionId);
        },
        setFailing: async () => undefined,
      },
      log,
    );

  it('hands every credit over once across polls and restarts, credits sharing a booking time included', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Booking times (ms offsets, many equal) of credits arriving in batches between polls.
        fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (batches, pageSize) => {
          const credits: BankNotification[] = [];
          const { source } = fakeSource(credits, pageSize);
          const store: { cursor?: StatementCursor } = {};
          const settled: string[] = [];
          let clockMs = Date.parse('2026-12-06T01:00:00.000Z');
          let n = 0;
          for (const batch of batches) {
            for (const step of batch) {
              clockMs += step;
              credits.push(credit(`FT${String(n++).padStart(3, '0')}`, new Date(clockMs).toISOString()));
            }
            // A fresh poller each time: a restart keeps only the stored cursor.
            await poller(source, store, settled).pollOnce();
          }
          expect([...settled].sort()).toEqual(credits.map((c) => c.transactionId).sort());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a page query keeps its since while the cursor moves on', async () => {
    const credits = [
      credit('FT1', '2026-12-06T01:00:00.000Z'),
      credit('FT2', '2026-12-06T01:00:01.000Z'),
      credit('FT3', '2026-12-06T01:00:02.000Z'),
    ];
    const { source, queries } = fakeSource(credits, 1);
    const settled: string[] = [];
    const store: { cursor?: StatementCursor } = {};
    await poller(source, store, settled).pollOnce();
    expect(settled).toEqual(['FT1', 'FT2', 'FT3']);
    expect(new Set(queries.map((q) => q.since)).size).toBe(1);
    expect(store.cursor).toEqual({ since: '2026-12-06T01:00:02.000Z', seen: ['FT3'] });
  });
});
