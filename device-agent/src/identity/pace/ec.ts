/**
 * Elliptic curves for PACE generic mapping and chip authentication. node:crypto has no point
 * addition (the mapping G' = s·G + H needs one), so point arithmetic is @noble/curves'
 * `weierstrass()` over the published domain parameters (RFC 5639 brainpool, NIST; the same values
 * OpenSSL's `ecparam -param_enc explicit` prints, which a unit test checks). Points cross the wire uncompressed
 * (04 ‖ X ‖ Y) and are checked to lie on the curve before any use. Never throws.
 */
import { createRequire } from 'node:module';
import type * as Weierstrass from '@noble/curves/abstract/weierstrass.js';
import type { WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { err, ok, type Result } from '@kiosk/protocol';

type WeierstrassModule = typeof Weierstrass;
let noble: WeierstrassModule | undefined;
/**
 * @noble/curves is loaded at the first curve a read needs, not with the agent: the idle agent has
 * an 80 MB budget and most reads (BAC cards without DG14) never touch a curve. Node ≥ 20.19
 * requires ES modules synchronously.
 */
function weierstrass(params: CurveParams): WeierstrassPointCons<bigint> {
  noble ??= createRequire(import.meta.url)('@noble/curves/abstract/weierstrass.js') as WeierstrassModule;
  return noble.weierstrass(params);
}

export type EcPoint = WeierstrassPoint<bigint>;

export interface EcCurve {
  readonly name: string;
  readonly Point: WeierstrassPointCons<bigint>;
  /** Byte length of a field element (and of the shared secret x-coordinate). */
  readonly fieldBytes: number;
  readonly n: bigint;
}

export interface CurveParams {
  p: bigint;
  a: bigint;
  b: bigint;
  Gx: bigint;
  Gy: bigint;
  n: bigint;
  h: bigint;
}

const big = (hex: string): bigint => BigInt(`0x${hex}`);

/** Domain parameters (RFC 5639 for brainpool, SEC 2 / FIPS 186 for NIST), as OpenSSL prints them. */
const CURVES: Readonly<Record<string, CurveParams>> = {
  'P-256': {
    p: big('FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF'),
    a: big('FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC'),
    b: big('5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B'),
    Gx: big('6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296'),
    Gy: big('4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5'),
    n: big('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'),
    h: 1n,
  },
  'P-384': {
    p: big('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF'),
    a: big('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC'),
    b: big('B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF'),
    Gx: big('AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7'),
    Gy: big('3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F'),
    n: big('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973'),
    h: 1n,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    a: (1n << 521n) - 4n,
    b: big(
      '51953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00',
    ),
    Gx: big(
      'C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66',
    ),
    Gy: big(
      '11839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650',
    ),
    n: big(
      '01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409',
    ),
    h: 1n,
  },
  brainpoolP256r1: {
    p: big('A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377'),
    a: big('7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9'),
    b: big('26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6'),
    Gx: big('8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262'),
    Gy: big('547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997'),
    n: big('A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7'),
    h: 1n,
  },
  brainpoolP320r1: {
    p: big('D35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27'),
    a: big('3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4'),
    b: big('520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6'),
    Gx: big('43BD7E9AFB53D8B85289BCC48EE5BFE6F20137D10A087EB6E7871E2A10A599C710AF8D0D39E20611'),
    Gy: big('14FDD05545EC1CC8AB4093247F77275E0743FFED117182EAA9C77877AAAC6AC7D35245D1692E8EE1'),
    n: big('D35E472036BC4FB7E13C785ED201E065F98FCFA5B68F12A32D482EC7EE8658E98691555B44C59311'),
    h: 1n,
  },
  brainpoolP384r1: {
    p: big('8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53'),
    a: big('7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826'),
    b: big('04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11'),
    Gx: big('1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E'),
    Gy: big('8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315'),
    n: big('8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565'),
    h: 1n,
  },
  brainpoolP512r1: {
    p: big(
      'AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3',
    ),
    a: big(
      '7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA',
    ),
    b: big(
      '3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723',
    ),
    Gx: big(
      '81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822',
    ),
    Gy: big(
      '7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892',
    ),
    n: big(
      'AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069',
    ),
    h: 1n,
  },
};

const cache = new Map<string, EcCurve>();

function make(name: string, Point: WeierstrassPointCons<bigint>): EcCurve {
  const c = Point.CURVE();
  return { name, Point, fieldBytes: Math.ceil(c.p.toString(16).length / 2), n: c.n };
}

/** A curve by name: NIST P-256/384/521 and the brainpool r1 curves, from their parameters. */
export function curveByName(name: string): EcCurve | undefined {
  const hit = cache.get(name);
  if (hit) return hit;
  const params = CURVES[name];
  if (!params) return undefined;
  const curve = make(name, weierstrass(params));
  cache.set(name, curve);
  return curve;
}

/** BSI TR-03110 / ICAO 9303-11 Table 12 standardized domain parameters (elliptic curves only). */
export const STANDARD_DOMAIN_PARAMETERS: Readonly<Record<number, string>> = {
  12: 'P-256',
  13: 'brainpoolP256r1',
  14: 'brainpoolP320r1',
  15: 'P-384',
  16: 'brainpoolP384r1',
  17: 'brainpoolP512r1',
  18: 'P-521',
};

export function curveByParameterId(id: number): EcCurve | undefined {
  const name = STANDARD_DOMAIN_PARAMETERS[id];
  return name ? curveByName(name) : undefined;
}

/** namedCurve OIDs of SubjectPublicKeyInfo. */
export const CURVE_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.9': 'brainpoolP320r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
};

export function curveByOid(oid: string): EcCurve | undefined {
  const name = CURVE_OIDS[oid];
  return name ? curveByName(name) : undefined;
}

/** A curve from explicit parameters (passports often spell them out): a known one when they match. */
export function curveFromParams(params: CurveParams): EcCurve | undefined {
  for (const [name, k] of Object.entries(CURVES))
    if (k.p === params.p && k.a === params.a && k.b === params.b && k.Gx === params.Gx && k.n === params.n)
      return curveByName(name);
  try {
    return make('explicit', weierstrass(params));
  } catch {
    return undefined;
  }
}

export function bigintFromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

export function bytesFromBigint(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  return new Uint8Array(Buffer.from(hex.slice(-length * 2), 'hex'));
}

/** Uncompressed point 04 ‖ X ‖ Y, checked to be on the curve and not the identity. */
export function decodePoint(curve: EcCurve, bytes: Uint8Array): Result<EcPoint> {
  if (bytes.length !== 1 + 2 * curve.fieldBytes || bytes[0] !== 0x04)
    return err('ec-bad-point', `expected an uncompressed ${curve.name} point`);
  try {
    const point = curve.Point.fromBytes(bytes);
    point.assertValidity();
    if (point.is0()) return err('ec-bad-point', 'point at infinity');
    return ok(point);
  } catch {
    return err('ec-bad-point', `point is not on ${curve.name}`);
  }
}

export function encodePoint(point: EcPoint): Uint8Array {
  return point.toBytes(false);
}

/** A private key in [1, n-1] from random bytes (rejection sampling keeps it uniform). */
export function randomScalar(curve: EcCurve, random: (n: number) => Uint8Array): bigint {
  const len = Math.ceil(curve.n.toString(16).length / 2);
  for (let i = 0; i < 100; i++) {
    const k = bigintFromBytes(random(len)) % (1n << BigInt(curve.n.toString(2).length));
    if (k > 0n && k < curve.n) return k;
  }
  // Unreachable with real randomness; a fixed test source that never fits gets a valid key.
  return (bigintFromBytes(random(len)) % (curve.n - 1n)) + 1n;
}
