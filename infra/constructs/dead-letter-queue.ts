import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** What sends its failures here, e.g. "the scheduled rollups" (for the cdk-nag reason). */
  readonly catches: string;
}

/**
 * A dead-letter queue as this service keeps them: encrypted, TLS only, messages kept 14
 * days so a failure over a long weekend can still be read and redriven.
 */
export class DeadLetterQueue extends Queue {
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        `This queue is itself the dead-letter destination of ${props.catches}; a dead-letter ` +
        'queue for it would have nothing to catch.',
    });
  }
}
