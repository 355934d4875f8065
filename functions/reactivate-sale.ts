import { reactivateSale as reactivate } from '../shared/domain/sale-changes';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import { statusChangeRoute } from '../shared/http/status-change-route';

/** `POST /sales/{salesId}/reactivation`: reactivates a cancelled sale at its items' MRR. */
export const reactivateSale = (deps: ServiceDeps) =>
  statusChangeRoute(deps, reactivate, 'Sale reactivated');

export const handler = httpRoute(reactivateSale(depsFromEnv()));
