import type { Sale, SaleItem, SaleVersion } from '../domain/sale';
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

  return { ...sale, items: inContractOrder(sale.items) } as unknown as Sale;
}

/** A history entry's item, carrying the sale's currency beside the MRR it records. */
export function versionItem(salesId: SalesId, currency: string, version: SaleVersion): Item {
  return {
    ...versionKey(salesId, version.version),
    entityType: ENTITY.saleVersion,
    salesId,
    currency,
    ...version,
  };
}

/** Reads a history entry back from its item. */
export function versionFromItem(item: Item): SaleVersion {
  const {
    pk: _pk,
    sk: _sk,
    entityType: _entityType,
    salesId: _salesId,
    currency: _currency,
    ...version
  } = item;

  return { ...version, items: inContractOrder(version.items) } as unknown as SaleVersion;
}

// DynamoDB maps come back in no particular key order; responses list item fields the way
// the contract writes them, so a sale reads the same whether created or read back.
function inContractOrder(items: unknown): SaleItem[] {
  return (items as SaleItem[]).map(({ productId, planId, quantity, unitAmount, interval }) => ({
    productId,
    planId,
    quantity,
    unitAmount,
    interval,
  }));
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
