import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boardSettingsSchema, displayConfigSchema, displayPairSchema } from './display-board';
import { reportExportQuerySchema, reportQuerySchema } from './reports';

// Outside input from a public screen (pairing) and from admins (board, reports): random and
// truncated input is refused or accepted, never thrown on.
const anything = fc.anything({ withBoxedValues: false, withNullPrototype: true });

describe('display and report schemas', () => {
  it('never throw on random input', () => {
    for (const schema of [
      displayPairSchema,
      displayConfigSchema,
      boardSettingsSchema,
      reportQuerySchema,
      reportExportQuerySchema,
    ])
      fc.assert(
        fc.property(anything, (value) => {
          expect(typeof schema.safeParse(value).success).toBe('boolean');
        }),
      );
  });

  it('pairing codes are read as typed on a TV: trimmed and upper-cased', () => {
    expect(displayPairSchema.parse({ code: ' ab12cd34 ', name: ' Sảnh A ' })).toEqual({
      code: 'AB12CD34',
      name: 'Sảnh A',
    });
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 80 }), (code, name) => {
        const r = displayPairSchema.safeParse({ code, name });
        if (r.success) expect(r.data.code).toMatch(/^[A-Z0-9]{6,16}$/u);
      }),
    );
  });

  it('a logo is an SVG document, nothing else', () => {
    const base = { hospitalName: '', notices: [] };
    expect(
      boardSettingsSchema.safeParse({ ...base, logoSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>' }).success,
    ).toBe(true);
    expect(boardSettingsSchema.safeParse({ ...base, logoSvg: '' }).success).toBe(true);
    for (const logoSvg of ['<script>alert(1)</script>', 'javascript:alert(1)', '<svgx>'])
      expect(boardSettingsSchema.safeParse({ ...base, logoSvg }).success).toBe(false);
  });

  it('report ranges run forwards and at most 400 days; both ends may be left to the server', () => {
    expect(reportQuerySchema.safeParse({}).success).toBe(true);
    expect(reportQuerySchema.safeParse({ from: '2026-03-02', to: '2026-03-01' }).success).toBe(false);
    expect(reportQuerySchema.safeParse({ from: '2025-01-01', to: '2026-12-31' }).success).toBe(false);
    expect(reportQuerySchema.parse({ from: '2026-03-01', to: '2026-03-31' })).toMatchObject({ period: 'day' });
    expect(reportExportQuerySchema.safeParse({ from: '2026-03-01', to: '2026-03-31' }).success).toBe(false);
  });
});
