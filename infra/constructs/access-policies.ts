import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { ROUTES, type Audience, type RouteDeclaration } from '../../shared/config/routes';
import type { SalesApi } from './sales-api';

export interface AccessPoliciesProps {
  /** The API whose routes the policies open. */
  readonly api: SalesApi;
}

/**
 * One customer-managed policy per audience, each allowing `execute-api:Invoke` on exactly
 * the routes whose declaration names that audience. Attach them to the roles of checkout
 * flows and of support staff; the stack outputs their ARNs.
 */
export class AccessPolicies extends Construct {
  readonly checkout: ManagedPolicy;
  readonly support: ManagedPolicy;

  constructor(scope: Construct, id: string, props: AccessPoliciesProps) {
    super(scope, id);

    this.checkout = this.policyFor(
      'Checkout',
      'checkout',
      props.api,
      'Lets checkout flows issue, read and change sales and record payments and usage',
    );
    this.support = this.policyFor(
      'Support',
      'support',
      props.api,
      'Lets support and finance look sales up and read revenue, without changing anything',
    );
  }

  private policyFor(
    id: string,
    audience: Audience,
    api: SalesApi,
    description: string,
  ): ManagedPolicy {
    const routes = routesFor(audience);
    if (routes.length === 0) {
      throw new Error(`No route in shared/config/routes.ts names the ${audience} audience`);
    }

    return new ManagedPolicy(this, id, {
      description,
      statements: [
        new PolicyStatement({
          actions: ['execute-api:Invoke'],
          resources: routes.map((route) => api.invokeArn(route)),
        }),
      ],
    });
  }
}

/** The declared routes one audience may call. */
export function routesFor(audience: Audience): RouteDeclaration[] {
  return ROUTES.filter((route) => route.audience.includes(audience));
}
