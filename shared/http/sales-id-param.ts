import { isSalesId, type SalesId } from '../domain/sales-id';
import { ServiceError } from '../errors';
import type { HttpRequest } from './types';

/** The sales ID from the path, refused with 400 before any database call when malformed. */
export function salesIdParam(request: HttpRequest): SalesId {
  const value = request.pathParameters.salesId;
  if (!isSalesId(value)) {
    throw new ServiceError('invalid_sales_id', 'A sales ID is sale_ and 27 base62 characters');
  }

  return value;
}
