import { Validations, type Stack } from 'aws-cdk-lib';

/**
 * Every cdk-nag AwsSolutions finding this stack accepts, each with the reason it is safe.
 * Kept in one place so a reviewer reads all exceptions at once.
 */
export function applyNagAcknowledgements(stack: Stack): void {
  const acknowledge = (id: string, reason: string): void =>
    Validations.of(stack).acknowledge({ id, reason });

  acknowledge(
    'AwsSolutions-IAM4',
    'AWSLambdaBasicExecutionRole and the API Gateway CloudWatch role are the AWS-maintained ' +
      'minimum for writing logs; they grant no data access.',
  );
}
