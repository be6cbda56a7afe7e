import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeDetail, parseTransactionResponse, readableOutcome, refOf, statusCodeOf } from './fhir-response.parser';

describe('FHIR response parsing', () => {
  it('reads entry statuses and locations', () => {
    const parsed = parseTransactionResponse(
      {
        resourceType: 'Bundle',
        type: 'transaction-response',
        entry: [
          { response: { status: '201 Created', location: 'https://emr/fhir/Patient/12/_history/1' } },
          { response: { status: '200' }, resource: { resourceType: 'Encounter', id: 'e-1' } },
        ],
      },
      2,
    );
    expect(parsed).toEqual([
      { status: 201, ref: 'Patient/12' },
      { status: 200, ref: 'Encounter/e-1', resource: { resourceType: 'Encounter', id: 'e-1' } },
    ]);
    expect(parseTransactionResponse({ resourceType: 'Bundle', type: 'transaction-response', entry: [] }, 2)).toBe(
      undefined,
    );
    expect(statusCodeOf('412 Precondition Failed')).toBe(412);
    expect(refOf('Patient/abc-1')).toBe('Patient/abc-1');
  });
  it('makes an OperationOutcome readable, masking ID numbers, and keeps alerts to codes and paths', () => {
    const oo = {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'invalid',
          expression: ['Patient.birthDate'],
          diagnostics: 'bad date for 079188012345',
        },
      ],
    };
    expect(readableOutcome(oo)).toBe('error invalid (Patient.birthDate): bad date for 07****45');
    expect(outcomeDetail(oo)).toBe('invalid@Patient.birthDate');
    expect(outcomeDetail({})).toBe('no-outcome');
  });
  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.nat(5), (v, n) => {
        parseTransactionResponse(v, n);
        readableOutcome(v);
        outcomeDetail(v);
        refOf(v);
        statusCodeOf(v);
        parseTransactionResponse({ resourceType: 'Bundle', type: 'transaction-response', entry: [v] }, 1);
        readableOutcome({ resourceType: 'OperationOutcome', issue: [v] });
        outcomeDetail({ resourceType: 'OperationOutcome', issue: [v, v] });
      }),
      { numRuns: 500 },
    );
  });
});

describe('FHIR outcome text', () => {
  it('is cleaned (NFC, no control, bidi or zero-width characters) before it is kept', () => {
    const text = readableOutcome({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'invalid',
          diagnostics: 'Te\u0302n\u0000 kho\u0302ng\u202e hơ\u0323p\u200b le\u0302\u0323',
        },
      ],
    });
    expect(text).toContain('Tên không hợp lệ');
    for (const c of ['\u0000', '\u202e', '\u200b']) expect(text).not.toContain(c);
  });
});
