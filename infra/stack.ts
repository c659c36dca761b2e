// The whole deployment in one stack: the table, four functions, the HTTP API, two schedules, the
// bot secret, alarms. Secure by default; every cdk-nag AwsSolutions finding that remains is
// acknowledged next to the resource it concerns, with the reason.

import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnApi, HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../functions/metrics';
import { TABLE } from '../store/table';
import type { DeployConfig } from './config';
import {
  bindBotSecret,
  bindEvidence,
  bindExportJobs,
  bindExports,
  bindTable,
  EXPORTS_PREFIX,
  InspectionFunction,
} from './function';
import { OUTPUTS } from './outputs';

export type InspectionStackProps = StackProps & Omit<DeployConfig, 'stackName'>;

/** Where the schedules run: the campaign's local time (nightly 21:00 is 21:00 in Dongxing). */
export const SCHEDULE_TIME_ZONE = TimeZone.ASIA_SHANGHAI;

/** Stage throttling: Telegram opens at most 40 connections by default; the office is a few people. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * LambdaInvoke whose role may invoke the function's unqualified ARN only. The stock target uses
 * grantInvoke, which adds `<arn>:*` (every version and alias); the schedule never needs those.
 */
export class LambdaInvokeUnqualified extends LambdaInvoke {
  readonly #arn: string;
  constructor(func: IFunction, props: ScheduleTargetBaseProps) {
    super(func, props);
    this.#arn = func.functionArn;
  }
  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.#arn] }),
    );
  }
}

/** Acknowledges one cdk-nag finding on a construct (and its children) with the reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

export class InspectionStack extends Stack {
  readonly table: Table;
  readonly botSecret: Secret;
  /** Photos of visits and problems (DOMAIN.md §11): private, encrypted, TLS only. */
  readonly evidenceBucket: Bucket;
  readonly api: HttpApi;
  readonly functions: Record<'webhook' | 'reminders' | 'summaries' | 'officeApi', InspectionFunction>;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: InspectionStackProps) {
    super(scope, id, props);
    if (props.botUsernameIsPlaceholder) {
      Annotations.of(this).addWarningV2(
        'inspection:botUsername',
        `botUsername is the placeholder "${props.botUsername}": invite links will be wrong. ` +
          'Deploy with -c botUsername=<your bot>.',
      );
    }

    // ---------------------------------------------------------------------------------------
    // Data: the one table, from store/table.ts.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode[TABLE.billingMode],
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // The campaign's record: it outlives the stack (tear-down leaves it; see docs/deploy.md).
      removalPolicy: RemovalPolicy.RETAIN,
      // The AWS-managed key: encrypted at rest and auditable in CloudTrail, without the cost and
      // key policy of a customer-managed key that no other account or service needs to use.
      encryption: TableEncryption.AWS_MANAGED,
    });
    for (const index of TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[TABLE.projection],
      });
    }

    // ---------------------------------------------------------------------------------------
    // Evidence: the photos inspectors send, under evidence/<campaign>/<survey>/. Photos of
    // households are personal data: no public access of any kind (no public URLs: the chat shows
    // them by Telegram file id, the archive is exported with operator credentials), encrypted at
    // rest, TLS only, versioned against overwrites, and expired with the campaign's retention.
    const evidenceLogs = new Bucket(this, 'EvidenceAccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.evidenceRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      evidenceLogs,
      'AwsSolutions-S1',
      'This is the access-log bucket of the evidence bucket; logging its own access would recurse.',
    );
    this.evidenceBucket = new Bucket(this, 'EvidenceBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: evidenceLogs,
      serverAccessLogsPrefix: 'evidence-bucket/',
      lifecycleRules: [
        {
          prefix: 'evidence/',
          expiration: Duration.days(props.evidenceRetentionDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
        {
          // Exports too large for Telegram are linked to for an hour; the file is gone the next day.
          prefix: EXPORTS_PREFIX,
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // The campaign's record: like the table, it outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---------------------------------------------------------------------------------------
    // The bot's secrets: one JSON secret {"botToken","webhookSecret"}. The template holds neither
    // value: Secrets Manager generates a random webhookSecret, the deployer puts the BotFather
    // token (docs/deploy.md). Functions get only the ARN and read the value on their first event and
    // again every 5 minutes (functions/runtime.ts), so a rotated token is picked up without a deploy.
    this.botSecret = new Secret(this, 'BotSecret', {
      description:
        'Telegram bot token (from BotFather) and webhook secret token, as JSON; see docs/deploy.md',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'webhookSecret',
        // Telegram's secret_token allows only A-Z, a-z, 0-9, _ and -.
        excludePunctuation: true,
        passwordLength: 48,
      },
    });
    acknowledge(
      this.botSecret,
      'AwsSolutions-SMG4',
      'The bot token is issued by Telegram (BotFather) and cannot be rotated by a Lambda; rotation ' +
        'is manual: /revoke in BotFather, put-secret-value, npm run set-webhook (docs/deploy.md).',
    );

    // ---------------------------------------------------------------------------------------
    // Functions, each with exactly the grants its code uses (infra/function.ts).
    const common = { campaignId: props.campaignId, botUsername: props.botUsername };
    const webhook = new InspectionFunction(this, 'TelegramWebhook', {
      entry: 'telegram-webhook',
      description: 'Telegram webhook: checks the secret token, runs the bot',
      // API Gateway gives up at 30 s; the chat's /summary builds workbooks, so memory buys CPU.
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    const reminders = new InspectionFunction(this, 'SendReminders', {
      entry: 'send-reminders',
      description: 'Every 15 minutes: sends the reminders that are due',
      // Telegram 429 answers are honoured by waiting retry_after.
      timeout: Duration.minutes(5),
    });
    const summaries = new InspectionFunction(this, 'BuildSummaries', {
      entry: 'build-summaries',
      description: 'Nightly, and for the chat on request: builds 表3/表4/表5 and sends the workbooks',
      timeout: Duration.minutes(5),
      memorySize: 1024,
    });
    const officeApi = new InspectionFunction(this, 'OfficeApi', {
      entry: 'office-api',
      description: 'Office HTTP API (IAM): summaries on demand, invites',
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    this.functions = { webhook, reminders, summaries, officeApi };

    for (const f of Object.values(this.functions)) {
      f.fn.addEnvironment('CAMPAIGN_ID', common.campaignId);
      f.fn.addEnvironment('BOT_USERNAME', common.botUsername);
      // Every function builds its runtime through functions/runtime.ts, which reads the secret
      // (cached 5 minutes; the office API and the schedules send Telegram messages too).
      bindBotSecret(f, this.botSecret);
    }
    // The webhook and the reminders update items in place (sessions, invites, deliveries).
    bindTable(webhook, this.table, { write: 'put-update' });
    bindTable(reminders, this.table, { write: 'put-update' });
    // Only the webhook touches photos: it stores what inspectors send and may read it back.
    bindEvidence(webhook, this.evidenceBucket);
    // …and the chat's large exports (📊 汇总表, the leader's report), under exports/.
    bindExports(webhook, this.evidenceBucket);
    const bucketId = this.getLogicalId(this.evidenceBucket.node.defaultChild as CfnBucket);
    acknowledge(
      webhook.role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/evidence/*]`,
      'S3 grants name objects by key prefix: the webhook may put and get objects under evidence/ ' +
        '(one key per photo, made by app/evidence.ts) and nothing else — no list, no delete, no other prefix.',
    );
    acknowledge(
      webhook.role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/exports/*]`,
      'The chat streams large exports under exports/ (one key per build, functions/summary-files.ts) and ' +
        'links to them; they expire within a day. No list, no delete, no other prefix.',
    );
    // The chat's 📊 汇总表 is built by the summaries function (a province's export outlasts the
    // webhook's 29 s): the webhook invokes it asynchronously, that function and no other.
    webhook.fn.addEnvironment('SUMMARIES_FUNCTION', summaries.fn.functionName);
    webhook.role.addToPolicy(
      new PolicyStatement({
        sid: 'HandSummaryToSummaries',
        actions: ['lambda:InvokeFunction'],
        resources: [summaries.fn.functionArn],
      }),
    );
    // It claims and marks each chat delivery (UpdateItem), streams the export under exports/ and
    // sends it or a link to it.
    bindTable(summaries, this.table, { write: 'put-update' });
    summaries.fn.addEnvironment('EVIDENCE_BUCKET', this.evidenceBucket.bucketName);
    bindExports(summaries, this.evidenceBucket);
    acknowledge(
      summaries.role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/exports/*]`,
      'The chat summary streams its export under exports/ (one key per build, functions/summary-files.ts) and ' +
        'sends it or a presigned link to it; exports expire within a day. No list, no delete, no other prefix.',
    );
    // The office API only adds items: audit events, invites. Its spreadsheets are built by the
    // summaries function (a province's raw export outlasts the 30 s API Gateway waits): it
    // records a job under exports/, invokes that function asynchronously, and answers the job's
    // state and presigned links to its files (a response may carry 6 MB; an export is more).
    bindTable(officeApi, this.table, { write: 'put' });
    officeApi.fn.addEnvironment('EVIDENCE_BUCKET', this.evidenceBucket.bucketName);
    bindExportJobs(officeApi, this.evidenceBucket);
    acknowledge(
      officeApi.role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/exports/*]`,
      'The office API reads its workbook jobs back and signs links to the files the summaries function built ' +
        'under exports/ (GetObject only; functions/office-summary.ts); exports expire within a day. No list, no delete.',
    );
    acknowledge(
      officeApi.role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/exports/*/jobs/*]`,
      'The office API records each workbook job as exports/<campaign>/jobs/<random id>/job.json (PutObject ' +
        'only, functions/office-summary.ts); the campaign and the job id are the wildcards. No list, no delete.',
    );
    officeApi.fn.addEnvironment('SUMMARIES_FUNCTION', summaries.fn.functionName);
    officeApi.role.addToPolicy(
      new PolicyStatement({
        sid: 'HandWorkbooksToSummaries',
        actions: ['lambda:InvokeFunction'],
        resources: [summaries.fn.functionArn],
      }),
    );

    // ---------------------------------------------------------------------------------------
    // HTTP API: POST /telegram (Telegram cannot sign requests: the secret token header is checked
    // in the function) and the office routes behind IAM authorization.
    this.api = new HttpApi(this, 'Api', {
      apiName: `${this.stackName}-api`,
      description: 'Telegram webhook and the office API',
      // The default stage is added below with access logs and throttling.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No bodies or headers: the webhook's secret token and chat contents stay out of logs.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            sourceIp: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
            latency: '$context.responseLatency',
            responseLength: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const [telegramRoute] = this.api.addRoutes({
      path: '/telegram',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('TelegramIntegration', webhook.fn),
    });
    if (telegramRoute) {
      acknowledge(
        telegramRoute,
        'AwsSolutions-APIG4',
        "Telegram's webhook calls cannot be signed or carry credentials; each request must carry the " +
          'X-Telegram-Bot-Api-Secret-Token header, compared in constant time by the function ' +
          '(functions/telegram-webhook.ts) before anything else runs; the stage is throttled.',
      );
    }
    const officeIntegration = new HttpLambdaIntegration('OfficeIntegration', officeApi.fn);
    const iam = new HttpIamAuthorizer();
    for (const path of ['/office/summaries', '/office/invites']) {
      this.api.addRoutes({
        path,
        methods: [HttpMethod.POST],
        integration: officeIntegration,
        authorizer: iam,
      });
    }
    // Where a workbook job stands, and its links once built.
    this.api.addRoutes({
      path: '/office/summaries/{job}',
      methods: [HttpMethod.GET],
      integration: officeIntegration,
      authorizer: iam,
    });
    // What an office operator's IAM user or role needs to call the office routes, and nothing more.
    const officeInvoke = new ManagedPolicy(this, 'OfficeApiInvokePolicy', {
      description: 'Allows calling the office API routes (attach to the office operators)',
      statements: [
        new PolicyStatement({
          actions: ['execute-api:Invoke'],
          resources: [
            this.api.arnForExecuteApi('POST', '/office/summaries', '$default'),
            this.api.arnForExecuteApi('POST', '/office/invites', '$default'),
            this.api.arnForExecuteApi('GET', '/office/summaries/*', '$default'),
          ],
        }),
      ],
    });
    const apiId = this.getLogicalId(this.api.node.defaultChild as CfnApi);
    acknowledge(
      officeInvoke,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/$default/GET/office/summaries/*]`,
      'GET /office/summaries/{job} names a workbook job by its random id (functions/office-summary.ts): the ' +
        'wildcard stands for that path parameter only; the method, the stage and the route are fixed.',
    );

    // ---------------------------------------------------------------------------------------
    // Schedules in the campaign's time zone, each with a retry policy and a dead-letter queue.
    // The same queue takes the function's own failed asynchronous runs, so one alarm covers both.
    const nightly = this.scheduled('Summaries', summaries, {
      expression: ScheduleExpression.cron({ minute: '0', hour: '21', timeZone: SCHEDULE_TIME_ZONE }),
      description: 'Nightly 21:00 Asia/Shanghai: build summaries and send them to the office',
      // Late is still useful the same evening; a retried run sends nothing twice (one claim per
      // office member and local date: functions/nightly-summaries.ts).
      retryAttempts: 3,
      maxEventAge: Duration.hours(2),
      functionRetries: 1,
    });
    const quarterHourly = this.scheduled('Reminders', reminders, {
      // Every 15 minutes on the quarter hours (cron rather than rate: rate has no time zone).
      expression: ScheduleExpression.cron({ minute: '0/15', timeZone: SCHEDULE_TIME_ZONE }),
      description: 'Every 15 minutes: send the reminders that are due',
      retryAttempts: 2,
      // The next run, 15 minutes later, does the same work (claims make it idempotent).
      maxEventAge: Duration.minutes(10),
      functionRetries: 0,
    });

    // ---------------------------------------------------------------------------------------
    // Alarms: every function's errors and throttles, and messages in either dead-letter queue.
    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'Inspection bot alarms', enforceSSL: true });
    acknowledge(
      this.alarmTopic,
      'AwsSolutions-SNS2',
      'Alarm notifications carry only alarm names and metric values, no personal or survey data; ' +
        'CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a ' +
        'customer-managed key would protect nothing here.',
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const alarm = (id: string, metric: Metric, description: string) =>
      new Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new SnsAction(this.alarmTopic));
    for (const [name, f] of Object.entries(this.functions)) {
      const period = { period: Duration.minutes(5), statistic: 'Sum' };
      alarm(`${f.node.id}Errors`, f.fn.metricErrors(period), `${name}: the function failed (see its logs)`);
      alarm(`${f.node.id}Throttles`, f.fn.metricThrottles(period), `${name}: invocations were throttled`);
    }
    // What the code counts (functions/metrics.ts): a failure a person saw, a forged webhook call, a
    // summary that did not arrive, a send Telegram did not take, Telegram's rate limit. Any one in
    // five minutes raises the alarm.
    const counted: Record<MetricName, string> = {
      UpdatesFailed:
        'webhook: an update failed and the person was told 系统出错了 (see the logs: update failed)',
      WebhookUnauthorized: 'webhook: a request without the secret token (forged, or the secret was rotated)',
      SummariesNotDelivered: 'summaries: a summary did not reach an office member or the person who asked',
      SendsFailed:
        'reminders/summaries: a send failed for a reason other than a blocked chat or the rate limit ' +
        '(Telegram error, network, a call that timed out); reminders retry it on a later run',
      TelegramRateLimited: 'Telegram answered 429 (too many requests): the bot is sending too fast',
    };
    for (const name of METRIC_NAMES) {
      alarm(
        name,
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: name,
          dimensionsMap: { service: METRICS_SERVICE },
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        counted[name],
      );
    }
    for (const [name, queue] of [
      ['summaries', nightly],
      ['reminders', quarterHourly],
    ] as const) {
      alarm(
        `${queue.node.id}Visible`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        `${name}: a scheduled run failed for good and is in the dead-letter queue`,
      );
    }

    // ---------------------------------------------------------------------------------------
    new CfnOutput(this, OUTPUTS.webhookUrl, {
      value: `${this.api.apiEndpoint}/telegram`,
      description: 'Telegram webhook URL (npm run set-webhook)',
    });
    new CfnOutput(this, OUTPUTS.officeApiUrl, {
      value: `${this.api.apiEndpoint}/office`,
      description: 'Office API base URL: POST /summaries, GET /summaries/{job}, POST /invites (IAM-signed)',
    });
    new CfnOutput(this, OUTPUTS.botSecretArn, {
      value: this.botSecret.secretArn,
      description: 'Secret holding the bot token and the webhook secret token (docs/deploy.md)',
    });
    new CfnOutput(this, OUTPUTS.tableName, { value: this.table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, OUTPUTS.evidenceBucket, {
      value: this.evidenceBucket.bucketName,
      description: 'Private bucket of the photos (EVIDENCE_BUCKET for npm run evidence -- export)',
    });
    new CfnOutput(this, OUTPUTS.officeInvokePolicyArn, {
      value: officeInvoke.managedPolicyArn,
      description: 'Attach to the IAM users or roles that call the office API',
    });
    new CfnOutput(this, OUTPUTS.campaignId, {
      value: props.campaignId,
      description: 'Campaign the bot runs',
    });
    new CfnOutput(this, OUTPUTS.botUsername, { value: props.botUsername, description: 'Bot username' });
    new CfnOutput(this, OUTPUTS.alarmTopicArn, {
      value: this.alarmTopic.topicArn,
      description: 'SNS topic the alarms publish to (subscribe to it)',
    });
  }

  /** A schedule invoking a function, with its dead-letter queue; returns the queue. */
  private scheduled(
    id: string,
    target: InspectionFunction,
    opts: {
      expression: ScheduleExpression;
      description: string;
      retryAttempts: number;
      maxEventAge: Duration;
      functionRetries: number;
    },
  ): Queue {
    const deadLetters = new Queue(this, `${id}DeadLetters`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      deadLetters,
      'AwsSolutions-SQS3',
      `This queue is itself the dead-letter queue of the ${id} schedule and function; its messages ` +
        'are inspected by a person after the alarm, never consumed automatically.',
    );
    new Schedule(this, `${id}Schedule`, {
      schedule: opts.expression,
      description: opts.description,
      target: new LambdaInvokeUnqualified(target.fn, {
        input: ScheduleTargetInput.fromObject({ source: 'scheduler', schedule: id }),
        retryAttempts: opts.retryAttempts,
        maxEventAge: opts.maxEventAge,
        deadLetterQueue: deadLetters,
      }),
    });
    // Scheduler invokes asynchronously: failures of the function itself are Lambda's to retry.
    target.fn.configureAsyncInvoke({
      retryAttempts: opts.functionRetries,
      maxEventAge: opts.maxEventAge,
      onFailure: new SqsDestination(deadLetters),
    });
    return deadLetters;
  }
}
