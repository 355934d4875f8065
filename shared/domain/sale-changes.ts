import { ServiceError } from '../errors';
import { mrrOrRefuse } from './new-sale';
import { arrFromMrr, saleMrr } from './money';
import type { ChangeType, Sale, SaleItem, SaleVersion } from './sale';

/** A change to a sale: the state before, the state after, and the history entry it adds. */
export interface SaleChange {
  readonly before: Sale;
  readonly after: Sale;
  readonly entry: SaleVersion;
}

/** What a client asked to change, as validated from its request. */
export interface Amendment {
  readonly items: readonly SaleItem[];
  readonly reason?: string;
}

/** The 412 for a stale version, with the current one for the client to re-read. */
export function versionConflict(currentVersion: number, expectedVersion: number): ServiceError {
  return new ServiceError(
    'version_conflict',
    `The sale is at version ${currentVersion}, not ${expectedVersion}`,
    { extensions: { currentVersion }, headers: { ETag: `"${currentVersion}"` } },
  );
}

/** Replaces the items of an active sale; 409 `sale_not_active` when it is cancelled. */
export function amendSale(sale: Sale, amendment: Amendment, now: Date): SaleChange {
  if (sale.status !== 'active') {
    throw new ServiceError('sale_not_active', 'A cancelled sale cannot be amended');
  }
  const mrr = mrrOrRefuse(amendment.items);

  return change(sale, now, 'amended', amendment.reason, {
    items: amendment.items,
    mrr,
    peakMrr: Math.max(sale.peakMrr, mrr),
  });
}

/** Cancels an active sale: MRR goes to 0, the items stay for the record. */
export function cancelSale(sale: Sale, reason: string | undefined, now: Date): SaleChange {
  if (sale.status !== 'active') {
    throw new ServiceError('sale_not_active', 'The sale is already cancelled');
  }

  return change(sale, now, 'cancelled', reason, { status: 'cancelled', mrr: 0 });
}

/** Reactivates a cancelled sale at the MRR of the items it held when cancelled. */
export function reactivateSale(sale: Sale, reason: string | undefined, now: Date): SaleChange {
  if (sale.status === 'active') {
    throw new ServiceError('sale_already_active', 'The sale is already active');
  }
  const mrr = saleMrr(sale.items);

  return change(sale, now, 'reactivated', reason, {
    status: 'active',
    mrr,
    peakMrr: Math.max(sale.peakMrr, mrr),
  });
}

function change(
  before: Sale,
  now: Date,
  type: ChangeType,
  reason: string | undefined,
  fields: Partial<Pick<Sale, 'items' | 'mrr' | 'peakMrr' | 'status'>>,
): SaleChange {
  const at = now.toISOString();
  const after: Sale = {
    ...before,
    ...fields,
    version: before.version + 1,
    arr: arrFromMrr(fields.mrr ?? before.mrr),
    updatedAt: at,
  };
  const entry: SaleVersion = {
    version: after.version,
    type,
    at,
    mrrBefore: before.mrr,
    mrrAfter: after.mrr,
    ...(reason !== undefined ? { reason } : {}),
    items: after.items,
    status: after.status,
  };

  return { before, after, entry };
}
