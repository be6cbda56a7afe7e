/**
 * The hospital bank's statement API, behind the `BankStatementSource` port: the account's credits
 * booked at or after a time, a page at a time.
 *
 * The contract (the tests' bank simulator serves it): `GET <url>?since=<iso>&limit=<n>[&page=<token>]`
 * with `Authorization: Bearer <token>` from the bank's OAuth2 client-credentials endpoint, answering
 * `{ credits: [{ transactionId, accountNumber, amountVnd, content, bookedAt }], nextPage?: string }`,
 * credits in booking order. A 401 is answered by one fresh token and one retry; a refused token is
 * `statement-auth-refused` (an operator must act), everything else `statement-unavailable` (retried).
 * Each credit is validated on its own: a malformed one is counted and skipped, never blocking the rest.
 */
import { z } from 'zod';
import { bankNotificationSchema, type BankNotification, type Result } from '@kiosk/protocol';
import type { HttpClient, HttpResponse } from './http.client';
import { ClientCredentialsToken } from './oauth2-client-credentials';

export interface StatementPage {
  credits: BankNotification[];
  /** Malformed credits left out of `credits`. */
  rejected: number;
  /** The token for the next page; undefined on the last. */
  nextPage: string | undefined;
}

export type StatementFailure = {
  code: 'statement-auth-refused' | 'statement-unavailable';
  message: string;
};

/** Where credits to the hospital's account are read from. */
export interface BankStatementSource {
  page(since: string, pageToken: string | undefined): Promise<Result<StatementPage, StatementFailure>>;
}

export interface HttpBankStatementOptions {
  url: string;
  /** OAuth2 client credentials; without a token URL the requests carry no authorization. */
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  timeoutMs: number;
  pageSize: number;
}

const pageSchema = z.object({
  credits: z.array(z.unknown()).max(1000),
  nextPage: z.string().min(1).max(200).optional(),
});

const unavailable = (message: string): Result<never, StatementFailure> => ({
  ok: false,
  error: { code: 'statement-unavailable', message },
});

export class HttpBankStatementSource implements BankStatementSource {
  private readonly token: ClientCredentialsToken | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly o: HttpBankStatementOptions,
  ) {
    this.token = o.tokenUrl
      ? new ClientCredentialsToken(http, {
          tokenUrl: o.tokenUrl,
          clientId: o.clientId ?? '',
          clientSecret: o.clientSecret ?? '',
          ...(o.scope ? { scope: o.scope } : {}),
          timeoutMs: o.timeoutMs,
        })
      : undefined;
  }

  async page(since: string, pageToken: string | undefined): Promise<Result<StatementPage, StatementFailure>> {
    const url = new URL(this.o.url);
    url.searchParams.set('since', since);
    url.searchParams.set('limit', String(this.o.pageSize));
    if (pageToken !== undefined) url.searchParams.set('page', pageToken);
    let answer = await this.get(url.toString());
    if (answer.ok && answer.value.status === 401 && answer.value.token !== undefined) {
      this.token?.invalidate(answer.value.token);
      answer = await this.get(url.toString());
    }
    if (!answer.ok) return answer;
    const { status, response } = answer.value;
    if (status === 401 || status === 403)
      return { ok: false, error: { code: 'statement-auth-refused', message: `the statement API answered ${status}` } };
    if (status !== 200) return unavailable(`the statement API answered ${status}`);
    const parsed = pageSchema.safeParse(response.body);
    if (!parsed.success) return unavailable('the statement page is not in the agreed form');
    const credits: BankNotification[] = [];
    let rejected = 0;
    for (const c of parsed.data.credits) {
      const credit = bankNotificationSchema.safeParse(c);
      if (credit.success) credits.push(credit.data);
      else rejected += 1;
    }
    return { ok: true, value: { credits, rejected, nextPage: parsed.data.nextPage } };
  }

  private async get(
    url: string,
  ): Promise<Result<{ status: number; response: HttpResponse; token: string | undefined }, StatementFailure>> {
    let token: string | undefined;
    if (this.token) {
      const t = await this.token.get();
      if (!t.ok)
        return {
          ok: false,
          error: {
            code: t.error.code === 'token-refused' ? 'statement-auth-refused' : 'statement-unavailable',
            message: t.error.message,
          },
        };
      token = t.value;
    }
    const r = await this.http.request({
      method: 'GET',
      url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      timeoutMs: this.o.timeoutMs,
    });
    if (!r.ok) return unavailable(r.error.message);
    return { ok: true, value: { status: r.value.status, response: r.value, token } };
  }
}
