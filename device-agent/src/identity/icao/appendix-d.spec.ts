/** Every row of the ICAO 9303-11 Appendix D worked example (hardware.md §1), both sides. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeCommandApdu } from './apdu';
import { answerMutualAuth, buildMutualAuthData, completeMutualAuth, deriveBacKeys } from './bac';
import { fromHex, hex, xor } from './bytes';
import { adjustParity, retailMac, tdesDecrypt } from './des';
import { SecureMessaging } from './secure-messaging';

const MRZ_INFO = 'L898902C<369080619406236';
const RND_IC = fromHex('4608F91988702212');
const RND_IFD = fromHex('781723860C06C226');
const K_IFD = fromHex('0B795240CB7049B01C19B33E32804F0B');
const K_IC = fromHex('0B4F80323EB3191CB04970CB4052790B');
const E_IFD = '72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2';
const M_IFD = '5F1448EEA8AD90A7';
const E_IC = '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F';
const M_IC = '2F2D235D074D7449';
const KS_ENC = '979EC13B1CBFE9DCD01AB0FED307EAE5';
const KS_MAC = 'F1CB1F1FB5ADF208806B89DC579DC1F8';
const SSC = '887022120C06C226';

const keys = deriveBacKeys(MRZ_INFO);
const session = (): SecureMessaging =>
  new SecureMessaging({ ksEnc: fromHex(KS_ENC), ksMac: fromHex(KS_MAC), ssc: fromHex(SSC) });

describe('ICAO 9303-11 Appendix D: BAC', () => {
  it('SHA-1 of the MRZ information', () => {
    expect(createHash('sha1').update(MRZ_INFO).digest('hex').toUpperCase()).toBe(
      '239AB9CB282DAF66231DC5A4DF6BFBAEDF477565',
    );
  });
  it('Kseed', () => expect(hex(keys.kSeed)).toBe('239AB9CB282DAF66231DC5A4DF6BFBAE'));
  it('Kenc (with DES parity)', () => expect(hex(keys.kEnc)).toBe('AB94FDECF2674FDFB9B391F85D7F76F2'));
  it('Kmac (with DES parity)', () => expect(hex(keys.kMac)).toBe('7962D9ECE03D1ACD4C76089DCE131543'));
  it('parity adjustment is idempotent and odd', () => {
    const k = adjustParity(fromHex('00FF0102'));
    expect(hex(k)).toBe('01FE0102');
    expect(hex(adjustParity(k))).toBe(hex(k));
  });

  it('E.IFD and M.IFD', () => {
    const { eIfd, mIfd, data } = buildMutualAuthData(keys, RND_IC, RND_IFD, K_IFD);
    expect(hex(eIfd)).toBe(E_IFD);
    expect(hex(mIfd)).toBe(M_IFD);
    expect(hex(retailMac(keys.kMac, eIfd))).toBe(M_IFD);
    expect(hex(encodeCommandApdu({ cla: 0, ins: 0x82, p1: 0, p2: 0, data, le: 0x28 }))).toBe(
      `0082000028${E_IFD}${M_IFD}28`,
    );
  });

  it('response E.IC ‖ M.IC decrypts to K.IC, and KSseed / KSenc / KSmac / SSC follow', () => {
    const r = completeMutualAuth(keys, fromHex(E_IC + M_IC), RND_IC, RND_IFD, K_IFD);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(hex(r.value.kIc)).toBe(hex(K_IC));
    expect(hex(xor(K_IFD, r.value.kIc))).toBe('0036D272F5C350ACAC50C3F572D23600');
    expect(hex(r.value.ksEnc)).toBe(KS_ENC);
    expect(hex(r.value.ksMac)).toBe(KS_MAC);
    expect(hex(r.value.ssc)).toBe(SSC);
    expect(hex(tdesDecrypt(keys.kEnc, fromHex(E_IC)).subarray(0, 16))).toBe(hex(RND_IC) + hex(RND_IFD));
  });

  it('the chip side answers E.IFD ‖ M.IFD with E.IC ‖ M.IC and the same session', () => {
    const r = answerMutualAuth(keys, fromHex(E_IFD + M_IFD), RND_IC, K_IC);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(hex(r.value.response)).toBe(E_IC + M_IC);
    expect(hex(r.value.session.ksEnc)).toBe(KS_ENC);
    expect(hex(r.value.session.ssc)).toBe(SSC);
  });

  it('rejects a tampered chip cryptogram and a wrong nonce', () => {
    const tampered = fromHex(E_IC + M_IC);
    tampered[39] = (tampered[39] ?? 0) ^ 1;
    const bad = completeMutualAuth(keys, tampered, RND_IC, RND_IFD, K_IFD);
    expect(bad.ok ? '' : bad.error.code).toBe('bac-bad-mac');
    const wrongNonce = completeMutualAuth(keys, fromHex(E_IC + M_IC), RND_IFD, RND_IFD, K_IFD);
    expect(wrongNonce.ok ? '' : wrongNonce.error.code).toBe('bac-nonce-mismatch');
    const chipBad = answerMutualAuth(deriveBacKeys('L898902C<369080619406237'), fromHex(E_IFD + M_IFD), RND_IC, K_IC);
    expect(chipBad.ok ? '' : chipBad.error.code).toBe('bac-bad-mac');
  });
});

describe('ICAO 9303-11 Appendix D: secure messaging', () => {
  const steps = [
    {
      name: 'SELECT EF.COM',
      command: { cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: fromHex('011E') },
      ssc: '887022120C06C227',
      protectedCommand: '0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800',
      responseSsc: '887022120C06C228',
      response: '990290008E08FA855A5D4C50A8ED9000',
      data: '',
    },
    {
      name: 'READ BINARY 4',
      command: { cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00, le: 4 },
      ssc: '887022120C06C229',
      protectedCommand: '0CB000000D9701048E08ED6705417E96BA5500',
      responseSsc: '887022120C06C22A',
      response: '8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000',
      data: '60145F01',
    },
    {
      name: 'READ BINARY 18 at offset 4',
      command: { cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x04, le: 18 },
      ssc: '887022120C06C22B',
      protectedCommand: '0CB000040D9701128E082EA28A70F3C7B53500',
      responseSsc: '887022120C06C22C',
      response: '871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000',
      data: '04303130365F36063034303030305C026175',
    },
  ];

  const at = (ssc: string): SecureMessaging => {
    const before = (BigInt(`0x${ssc}`) - 1n).toString(16).toUpperCase().padStart(16, '0');
    return new SecureMessaging({ ksEnc: fromHex(KS_ENC), ksMac: fromHex(KS_MAC), ssc: fromHex(before) });
  };

  it.each(steps)('terminal: protected $name (SSC $ssc)', (s) => {
    const sm = at(s.ssc);
    expect(hex(sm.wrapCommand(s.command))).toBe(s.protectedCommand);
    expect(hex(sm.ssc)).toBe(s.ssc);
  });

  it.each(steps)('terminal: $name response unwrap (SSC $responseSsc)', (s) => {
    const sm = at(s.responseSsc);
    const r = sm.unwrapResponse(fromHex(s.response));
    expect(r.ok && { data: hex(r.value.data), sw: r.value.sw }).toEqual({ data: s.data, sw: 0x9000 });
  });

  it.each(steps)('chip: unwraps protected $name and produces its response', (s) => {
    const chip = at(s.ssc);
    const cmd = chip.unwrapCommand(fromHex(s.protectedCommand));
    expect(cmd.ok).toBe(true);
    if (!cmd.ok) return;
    expect(cmd.value.ins).toBe(s.command.ins);
    expect(cmd.value.le).toBe(s.command.le);
    expect(hex(cmd.value.data ?? new Uint8Array(0))).toBe(hex(s.command.data ?? new Uint8Array(0)));
    expect(hex(chip.wrapResponse(fromHex(s.data), 0x9000))).toBe(s.response);
  });

  it('the whole sequence from the session start SSC runs in order', () => {
    const sm = session();
    for (const s of steps) {
      expect(hex(sm.wrapCommand(s.command))).toBe(s.protectedCommand);
      const r = sm.unwrapResponse(fromHex(s.response));
      expect(hex(sm.ssc)).toBe(s.responseSsc);
      expect(r.ok && hex(r.value.data)).toBe(s.data);
    }
  });

  it('refuses a response with a wrong MAC, and a bare status word', () => {
    const sm = session();
    sm.wrapCommand(steps[1]!.command);
    const resp = fromHex(steps[1]!.response);
    resp[resp.length - 3] = (resp[resp.length - 3] ?? 0) ^ 0xff;
    const bad = sm.unwrapResponse(resp);
    expect(bad.ok ? '' : bad.error.code).toBe('sm-bad-mac');
    const plain = session().unwrapResponse(fromHex('6982'));
    expect(plain.ok ? null : { code: plain.error.code, sw: plain.error.sw }).toEqual({
      code: 'sm-unprotected-status',
      sw: 0x6982,
    });
  });
});
