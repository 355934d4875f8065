import type { Sale, SaleVersion } from '../domain/sale';
import type { SalesId } from '../domain/sales-id';
import { ENTITY, planLinkKey, saleKey, versionKey } from './keys';

/**
 * How sales look as DynamoDB items. Every item names its entity type and carries readable
 * ISO times and the currency beside its amounts, so the console explains itself.
 */

export type Item = Record<string, unknown>;

/** The sale's current-state item; `changeType`/`changedAt` date the version for the rollup. */
export function saleItem(sale: Sale, change: Pick<SaleVersion, 'type' | 'at'>): Item {
  return {
    ...saleKey(sale.salesId),
    entityType: ENTITY.sale,
    ...sale,
    changeType: change.type,
    changedAt: change.at,
  };
}

/** Reads a sale back from its item, dropping keys and bookkeeping. */
export function saleFromItem(item: Item): Sale {
  const {
    pk: _pk,
    sk: _sk,
    entityType: _entityType,
    changeType: _changeType,
    changedAt: _changedAt,
    ...sale
  } = item;

  return sale as unknown as Sale;
}

export function versionItem(salesId: SalesId, currency: string, version: SaleVersion): Item {
  return {
    ...versionKey(salesId, version.version),
    entityType: ENTITY.saleVersion,
    salesId,
    currency,
    ...version,
  };
}

export function versionFromItem(item: Item): SaleVersion {
  const {
    pk: _pk,
    sk: _sk,
    entityType: _entityType,
    salesId: _salesId,
    currency: _currency,
    ...version
  } = item;

  return version as unknown as SaleVersion;
}

/** One link item per distinct plan: the byPlan index's entries. */
export function planLinkItems(sale: Pick<Sale, 'salesId' | 'items' | 'currency'>): Item[] {
  const plans = [...new Set(sale.items.map((item) => item.planId))];

  return plans.map((planId) => ({
    ...planLinkKey(sale.salesId, planId),
    entityType: ENTITY.salePlan,
    salesId: sale.salesId,
    planId,
  }));
}
