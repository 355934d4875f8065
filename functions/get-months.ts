import { routeFallback } from './route-fallback';
import { httpRoute } from '../shared/http/route';

// Placeholder until this route is built: answers like an unknown route.
export const handler = httpRoute(routeFallback);
