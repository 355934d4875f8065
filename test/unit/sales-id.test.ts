import KSUID from 'ksuid';

import {
  generateSalesId,
  isSalesId,
  SALES_ID_PREFIX,
  salesIdTimestamp,
  type SalesId,
} from '../../shared/domain/sales-id';

const MAX_BODY = 'aWgEPTl1tmebfsQzFP4bxwgy80V';
const ZERO_BODY = '0'.repeat(27);

describe('sales ID', () => {
  it('is sale_ followed by 27 base62 characters', () => {
    const salesId = generateSalesId();

    expect(salesId).toMatch(/^sale_[0-9A-Za-z]{27}$/);
    expect(salesId).toHaveLength(32);
    expect(isSalesId(salesId)).toBe(true);
  });

  it('accepts the smallest and the largest KSUID', () => {
    expect(isSalesId(`${SALES_ID_PREFIX}${ZERO_BODY}`)).toBe(true);
    expect(isSalesId(`${SALES_ID_PREFIX}${MAX_BODY}`)).toBe(true);
  });

  it.each([
    ['a value above the largest KSUID', `sale_aWgEPTl1tmebfsQzFP4bxwgy80W`],
    ['the largest body plus one digit', `sale_${'z'.repeat(27)}`],
    ['a missing prefix', `x${MAX_BODY.slice(0, 26)}abcde`],
    ['another prefix', `opp__${ZERO_BODY}`],
    ['an upper-case prefix', `SALE_${ZERO_BODY}`],
    ['one character too few', `sale_${ZERO_BODY.slice(1)}`],
    ['one character too many', `sale_${ZERO_BODY}0`],
    ['a non-base62 character', `sale_${ZERO_BODY.slice(1)}-`],
    ['a non-ASCII letter', `sale_${ZERO_BODY.slice(1)}é`],
    ['the bare KSUID', MAX_BODY],
    ['an empty string', ''],
  ])('rejects %s', (_case, value) => {
    expect(isSalesId(value)).toBe(false);
  });

  it('rejects values that are not strings', () => {
    expect(isSalesId(undefined)).toBe(false);
    expect(isSalesId(42)).toBe(false);
    expect(isSalesId({ salesId: generateSalesId() })).toBe(false);
  });

  it('reads back the second it was issued', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;

    const issuedAt = salesIdTimestamp(generateSalesId()).getTime();

    expect(issuedAt).toBeGreaterThanOrEqual(before);
    expect(issuedAt).toBeLessThanOrEqual(Date.now());
  });

  it('sorts by creation time', () => {
    const older = KSUID.fromParts(Date.parse('2026-01-01T00:00:00Z'), Buffer.alloc(16, 255));
    const newer = KSUID.fromParts(Date.parse('2026-01-01T00:00:01Z'), Buffer.alloc(16, 0));

    const ids = [`sale_${newer.string}`, `sale_${older.string}`].sort() as SalesId[];

    expect(ids.map((id) => salesIdTimestamp(id).toISOString())).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:01.000Z',
    ]);
  });

  it('issues distinct IDs', () => {
    const ids = new Set(Array.from({ length: 10_000 }, generateSalesId));

    expect(ids.size).toBe(10_000);
  });
});
