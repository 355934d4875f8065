/**
 * The one declaration of the HTTP API. The CDK stack builds a function, an API method and
 * a least-privilege policy from each entry; the local stack serves the same entries through
 * the same handler files. Adding a route here is all it takes to serve it in both.
 */

export type HttpMethod = 'GET' | 'POST';

/** Who may call a route: checkout flows write sales, support reads them and revenue. */
export type Audience = 'checkout' | 'support';

/** DynamoDB actions a route's function may perform (transactions need each item action). */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem';

export interface TableAccess {
  readonly sales?: readonly TableAction[];
  /** Whether `sales` actions also apply to the table's indexes (for look-up queries). */
  readonly salesIndexes?: boolean;
  readonly revenue?: readonly TableAction[];
}

export interface RouteDeclaration {
  /** Function name stem and the entry file's name in `functions/`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  readonly audience: readonly Audience[];
  readonly access: TableAccess;
  readonly description: string;
}

const READ_SALE: TableAccess = { sales: ['dynamodb:Query'] };
// Read the sale, update it and add the version; amendments also add and delete plan links.
const CHANGE_SALE: TableAccess = {
  sales: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
};
const READ_REVENUE: TableAccess = { revenue: ['dynamodb:GetItem', 'dynamodb:Query'] };

export const ROUTES: readonly RouteDeclaration[] = [
  {
    id: 'create-sale',
    method: 'POST',
    path: '/sales',
    audience: ['checkout'],
    // GetItem on revenue: a back-dated activatedAt must not land in a closed month.
    access: { sales: ['dynamodb:PutItem', 'dynamodb:GetItem'], revenue: ['dynamodb:GetItem'] },
    description: 'Issues a sales ID for a confirmed checkout',
  },
  {
    id: 'get-sale',
    method: 'GET',
    path: '/sales/{salesId}',
    audience: ['checkout', 'support'],
    access: READ_SALE,
    description: 'Reads a sale with its history, payments and usage',
  },
  {
    id: 'list-sales',
    method: 'GET',
    path: '/sales',
    audience: ['support'],
    access: { sales: ['dynamodb:Query', 'dynamodb:BatchGetItem'], salesIndexes: true },
    description: 'Lists sales by customer, opportunity, contract, plan or channel',
  },
  {
    id: 'amend-sale',
    method: 'POST',
    path: '/sales/{salesId}/amendments',
    audience: ['checkout'],
    access: { sales: [...(CHANGE_SALE.sales ?? []), 'dynamodb:DeleteItem'] },
    description: 'Replaces the items of an active sale',
  },
  {
    id: 'cancel-sale',
    method: 'POST',
    path: '/sales/{salesId}/cancellation',
    audience: ['checkout'],
    access: CHANGE_SALE,
    description: 'Cancels a sale; its MRR goes to 0',
  },
  {
    id: 'reactivate-sale',
    method: 'POST',
    path: '/sales/{salesId}/reactivation',
    audience: ['checkout'],
    access: CHANGE_SALE,
    description: 'Reactivates a cancelled sale',
  },
  {
    id: 'record-payment',
    method: 'POST',
    path: '/sales/{salesId}/payments',
    audience: ['checkout'],
    // One transaction: put the payment record, add to the sale's paidAmount.
    access: { sales: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] },
    description: 'Applies a payment to the sale it names',
  },
  {
    id: 'record-usage',
    method: 'POST',
    path: '/sales/{salesId}/usage',
    audience: ['checkout'],
    // Read the sale's currency, then put the event and add to its monthly counter.
    access: { sales: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
    description: 'Records metered usage against a sale',
  },
  {
    id: 'get-mrr',
    method: 'GET',
    path: '/revenue/mrr',
    audience: ['support'],
    access: READ_REVENUE,
    description: 'MRR, ARR and active sales per currency with breakdowns',
  },
  {
    id: 'get-movements',
    method: 'GET',
    path: '/revenue/movements',
    audience: ['support'],
    access: READ_REVENUE,
    description: 'Opening MRR, movements and closing MRR of one month',
  },
  {
    id: 'get-months',
    method: 'GET',
    path: '/revenue/months',
    audience: ['support'],
    access: READ_REVENUE,
    description: 'The month-by-month movements series',
  },
];

/**
 * Answers every request that matches no route: 404 for an unknown path, 405 with `Allow`
 * for a known path with another method. API Gateway sends those to it through `ANY`
 * methods, so clients get problem details instead of the gateway's own 403.
 */
export const FALLBACK_ROUTE_ID = 'route-fallback';

/** Path of a route's entry file, relative to the project root. */
export const routeEntry = (id: string): string => `functions/${id}.ts`;

/** The methods declared for a path, for 405 responses. */
export function methodsForPath(path: string): HttpMethod[] {
  return ROUTES.filter((route) => route.path === path).map((route) => route.method);
}
