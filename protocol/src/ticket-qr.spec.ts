import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticketSchema } from './ticket';
import {
  PUBLIC_URL_MAX_CHARS,
  STATUS_URL_MAX_CHARS,
  publicBaseUrlOf,
  ticketQrPayload,
  ticketStatusUrl,
} from './ticket-qr';

const ticket = {
  hospitalName: 'Bệnh viện Đa khoa',
  department: 'Khoa Nội',
  room: '101',
  floor: 1,
  number: 'A012',
  serviceType: 'insurance',
  priority: 'normal',
  issuedAt: '2026-03-02T08:15:00+07:00',
  lookupCode: 'Q7RM2XABCD23',
} as const;

describe('the public base URL', () => {
  it('is a canonical origin: lower-case host, no default port, no trailing slash', () => {
    expect(publicBaseUrlOf('https://BenhVien.Example.VN/')).toBe('https://benhvien.example.vn');
    expect(publicBaseUrlOf('https://bv.example.vn:443')).toBe('https://bv.example.vn');
    expect(publicBaseUrlOf('http://bv.example.vn:80')).toBe('http://bv.example.vn');
    expect(publicBaseUrlOf('HTTP://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(publicBaseUrlOf('http://[::1]:8080')).toBe('http://[::1]:8080');
  });

  it('refuses a path, a query, a fragment, credentials, another scheme or a bad port', () => {
    for (const bad of [
      'https://bv.example.vn/kiosk',
      'https://bv.example.vn/?a=1',
      'https://bv.example.vn#x',
      'https://user:pw@bv.example.vn',
      'ftp://bv.example.vn',
      'javascript:alert(1)',
      'bv.example.vn',
      'https://bv.example.vn:0',
      'https://bv.example.vn:70000',
      'https://-bv.example.vn',
      'https://bv..example.vn',
      ' https://bv.example.vn',
      `https://${'a'.repeat(PUBLIC_URL_MAX_CHARS)}.vn`,
      '',
    ])
      expect(publicBaseUrlOf(bad), bad).toBeUndefined();
  });

  it('never throws; what it gives is read back as itself (property)', () => {
    const near = fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTPS://', ''),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('', '/', ':8443', '/t/x', '?q'),
      )
      .map(([a, b, c]) => a + b + c);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), near), (text) => {
        const origin = publicBaseUrlOf(text);
        if (origin !== undefined) {
          expect(publicBaseUrlOf(origin)).toBe(origin);
          expect(origin.length).toBeLessThanOrEqual(PUBLIC_URL_MAX_CHARS);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("the ticket's QR payload", () => {
  it('is the status URL when the ticket has one, else TK:<code>', () => {
    expect(ticketQrPayload(ticket)).toBe('TK:Q7RM2XABCD23');
    const statusUrl = ticketStatusUrl('https://bv.example.vn', ticket.lookupCode);
    expect(statusUrl).toBe('https://bv.example.vn/t/Q7RM2XABCD23');
    expect(ticketQrPayload({ ...ticket, statusUrl })).toBe(statusUrl);
  });

  it('the ticket schema takes a status URL of the form <public URL>/t/<code> only', () => {
    expect(ticketSchema.safeParse(ticket).success).toBe(true);
    expect(ticketSchema.safeParse({ ...ticket, statusUrl: 'http://127.0.0.1:8080/t/Q7RM2XABCD23' }).success).toBe(true);
    for (const statusUrl of [
      'javascript:alert(1)',
      'https://bv.example.vn/t/',
      'https://bv.example.vn/x/Q7RM2XABCD23',
      'https://bv.example.vn/t/Q7RM?x=1',
      `https://bv.example.vn/t/${'A'.repeat(STATUS_URL_MAX_CHARS)}`,
    ])
      expect(ticketSchema.safeParse({ ...ticket, statusUrl }).success, statusUrl).toBe(false);
  });

  it('any public URL and lookup code make a status URL the schema takes, within the QR budget (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/u);
    const origin = fc
      .tuple(fc.constantFrom('http', 'https'), fc.array(label, { minLength: 1, maxLength: 6 }), fc.nat(65535))
      .map(([s, labels, port]) => `${s}://${labels.join('.')}${port > 0 ? `:${port}` : ''}`);
    fc.assert(
      fc.property(origin, fc.stringMatching(/^[A-HJ-NP-Z2-9]{12}$/u), (o, code) => {
        const base = publicBaseUrlOf(o);
        if (base === undefined) return;
        const statusUrl = ticketStatusUrl(base, code);
        expect(statusUrl.length).toBeLessThanOrEqual(STATUS_URL_MAX_CHARS);
        expect(ticketSchema.safeParse({ ...ticket, statusUrl }).success).toBe(true);
      }),
    );
  });
});
