import { cancelSale as cancel } from '../shared/domain/sale-changes';
import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { httpRoute } from '../shared/http/route';
import { statusChangeRoute } from '../shared/http/status-change-route';

/** `POST /sales/{salesId}/cancellation`: cancels an active sale; its MRR goes to 0. */
export const cancelSale = (deps: ServiceDeps) => statusChangeRoute(deps, cancel, 'Sale cancelled');

export const handler = httpRoute(cancelSale(depsFromEnv()));
