import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

import type { SaleItem } from '../domain/sale';
import { ENTITY } from '../storage/keys';
import { utcMonth, type SaleChange, type SaleRevenueState } from './movement';

/** Why a stream record makes no sale change; these are skipped, never failed. */
export type IgnoredReason = 'not-a-sale' | 'removed' | 'same-version';

export type ParsedRecord =
  | { readonly kind: 'change'; readonly change: SaleChange }
  | { readonly kind: 'ignored'; readonly reason: IgnoredReason };

/** Thrown for a sale record the rollup cannot read; the record is reported as failed. */
export class MalformedRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRecordError';
  }
}

type Image = Record<string, unknown>;

/**
 * Reads a SalesTable stream record as a sale change. Non-sale items, removals and updates
 * that leave the version as it was (payments bump `paidAmount` only) are ignored.
 */
export function parseSaleRecord(record: DynamoDBRecord): ParsedRecord {
  const newImage = imageOf(record.dynamodb?.NewImage);
  const oldImage = imageOf(record.dynamodb?.OldImage);
  if ((newImage ?? oldImage)?.entityType !== ENTITY.sale) {
    return { kind: 'ignored', reason: 'not-a-sale' };
  }
  if (record.eventName === 'REMOVE' || newImage === undefined) {
    return { kind: 'ignored', reason: 'removed' };
  }

  const version = requireNumber(newImage, 'version');
  if (oldImage !== undefined && requireNumber(oldImage, 'version') >= version) {
    return { kind: 'ignored', reason: 'same-version' };
  }
  const changeType = requireString(newImage, 'changeType');
  // A creation counts in the month the sale became active, which may be back-dated.
  const at = requireString(newImage, changeType === 'created' ? 'activatedAt' : 'changedAt');

  return {
    kind: 'change',
    change: {
      salesId: requireString(newImage, 'salesId'),
      version,
      currency: requireString(newImage, 'currency'),
      at,
      month: utcMonth(at),
      changeType,
      before: oldImage === undefined ? undefined : revenueState(oldImage),
      after: revenueState(newImage),
    },
  };
}

function imageOf(image: unknown): Image | undefined {
  if (image === undefined || image === null) {
    return undefined;
  }

  return unmarshall(image as Record<string, AttributeValue>) as Image;
}

function revenueState(image: Image): SaleRevenueState {
  const mrr = requireNumber(image, 'mrr');
  const items = image.items;
  if (!Array.isArray(items)) {
    throw new MalformedRecordError('sale image has no items list');
  }
  const peak = image.peakMrr;

  return {
    status: requireString(image, 'status'),
    mrr,
    channel: requireString(image, 'channel'),
    items: items as SaleItem[],
    peakMrr: typeof peak === 'number' ? Math.max(peak, mrr) : mrr,
  };
}

function requireString(image: Image, name: string): string {
  const value = image[name];
  if (typeof value !== 'string' || value === '') {
    throw new MalformedRecordError(`sale image lacks string ${name}`);
  }

  return value;
}

function requireNumber(image: Image, name: string): number {
  const value = image[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new MalformedRecordError(`sale image lacks integer ${name}`);
  }

  return value;
}
