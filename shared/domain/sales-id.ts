import KSUID from 'ksuid';

/** Prefix that tells a sales ID apart from opportunity, contract and customer IDs. */
export const SALES_ID_PREFIX = 'sale_';

const KSUID_LENGTH = 27;
const SALES_ID_LENGTH = SALES_ID_PREFIX.length + KSUID_LENGTH;

// The largest value 20 bytes can hold, base62-encoded. Base62 digits sort in ASCII order
// (0-9 < A-Z < a-z), so at equal length a string comparison is a numeric comparison.
const MAX_KSUID = 'aWgEPTl1tmebfsQzFP4bxwgy80V';
const KSUID_BODY = /^[0-9A-Za-z]{27}$/;

/** A sales ID: `sale_` followed by a 27-character KSUID. */
export type SalesId = string & { readonly __brand: 'SalesId' };

/** Produces a fresh sales ID; injected so tests can force a collision. */
export type SalesIdGenerator = () => SalesId;

/** Generates a new, time-sortable sales ID from a random KSUID. */
export const generateSalesId: SalesIdGenerator = () =>
  `${SALES_ID_PREFIX}${KSUID.randomSync().string}` as SalesId;

/**
 * Checks prefix, length, alphabet and range by hand rather than trusting the library,
 * which accepts some out-of-range strings and throws on others.
 */
export function isSalesId(value: unknown): value is SalesId {
  if (typeof value !== 'string' || value.length !== SALES_ID_LENGTH) {
    return false;
  }
  if (!value.startsWith(SALES_ID_PREFIX)) {
    return false;
  }
  const body = value.slice(SALES_ID_PREFIX.length);

  return KSUID_BODY.test(body) && body <= MAX_KSUID;
}

/** The moment the sales ID was issued, to the second (KSUID's timestamp). */
export function salesIdTimestamp(salesId: SalesId): Date {
  return KSUID.parse(salesId.slice(SALES_ID_PREFIX.length)).date;
}
