import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contrast, readableAccent } from './theme';
import { readKioskConfig } from './kiosk-config';

describe('readableAccent', () => {
  it('keeps a dark enough colour and darkens a light one to 7:1 against white', () => {
    expect(readableAccent('#003d33')).toBe('#003d33');
    const fixed = readableAccent('#4fc3f7');
    expect(contrast(fixed, '#ffffff')).toBeGreaterThanOrEqual(7);
    expect(contrast(fixed, '#f4f7f9')).toBeGreaterThanOrEqual(7);
  });
  it('refuses what is not a #rrggbb colour', () => {
    expect(readableAccent('red')).toBe('');
    expect(readableAccent('#fff')).toBe('');
  });
  it('any colour comes out readable', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), (n) => {
        const c = readableAccent(`#${n.toString(16).padStart(6, '0')}`);
        expect(contrast(c, '#ffffff')).toBeGreaterThanOrEqual(7);
      }),
    );
  });
});

describe('readKioskConfig', () => {
  it('takes a well-formed answer', () => {
    expect(
      readKioskConfig({
        ok: true,
        value: { hospitalName: 'BV', logoSvg: '<svg />', accentColor: '#00695c', agentPort: 20051 },
      }),
    ).toEqual({ hospitalName: 'BV', logoSvg: '<svg />', accentColor: '#00695c', agentPort: 20051 });
  });
  it('never throws on outside input and drops what is malformed', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const c = readKioskConfig(x);
        expect(typeof c.hospitalName).toBe('string');
      }),
    );
    expect(readKioskConfig({ value: { logoSvg: '<script>', accentColor: 'red', agentPort: 99999 } })).toEqual({
      hospitalName: '',
      logoSvg: '',
      accentColor: '',
    });
  });
});
