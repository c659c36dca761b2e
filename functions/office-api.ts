// The office's HTTP API (API Gateway HTTP API, IAM-authorised): build summaries on demand and
// create invites (the first office invite of a new deployment comes from here or the CLI).

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { ForbiddenError } from '../app/authz';
import { type Clock, systemClock } from '../app/messaging';
import { createInvite, InviteInputError } from '../app/people';
import type { FileStore, Store } from '../app/ports';
import { buildSummaries, UnknownTownError } from '../app/summaries';
import type { Campaign } from '../domain/campaign';
import { ROLES } from '../domain/campaign';
import { summaryJson } from '../reports/json';
import { jobView, type OfficeSummaryRequest, runOfficeSummary, startJob } from './office-summary';
import { logger, runtime } from './runtime';
import { systemOffice } from './summary-files';

type Result = APIGatewayProxyStructuredResultV2;
const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

const SummaryRequest = z.object({
  scope: z.string().min(1).default('city'),
  format: z.enum(['json', 'xlsx']).default('json'),
});
const InviteRequest = z.object({
  role: z.enum(ROLES),
  groupId: z.string().optional(),
  townId: z.string().optional(),
});

export interface OfficeApiDeps {
  store: Store;
  campaign: Campaign;
  clock: Clock;
  botUsername: string;
  /** The bucket the spreadsheets are put in and linked from (exports/). */
  files?: FileStore | undefined;
  /** Hands a job to the summaries function (an asynchronous invoke); without it, built inline. */
  later?: ((request: OfficeSummaryRequest) => Promise<void>) | undefined;
}

export function createOfficeApi(deps: OfficeApiDeps) {
  return async (event: APIGatewayProxyEventV2WithIAMAuthorizer): Promise<Result> => {
    const caller =
      event.requestContext.authorizer?.iam?.userArn ?? event.requestContext.authorizer?.iam?.userId;
    if (!caller) return json(403, { error: 'forbidden', message: '需要 IAM 签名的请求' });
    const actor = systemOffice(`iam:${caller}`, deps.clock.now().toISOString());
    let body: unknown = {};
    try {
      body = event.body
        ? JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body)
        : {};
    } catch {
      return json(400, { error: 'invalid_json', message: '请求体不是合法的 JSON' });
    }
    try {
      if (event.routeKey === 'POST /office/summaries') {
        const req = SummaryRequest.safeParse(body);
        if (!req.success) return json(400, { error: 'invalid_request', issues: req.error.issues });
        const { scope, format } = req.data;
        if (format === 'xlsx') {
          // Links to the files in the bucket, never their bytes (a response carries 6 MB at most),
          // built outside the request (functions/office-summary.ts): a province's raw export takes
          // longer than API Gateway waits.
          const files = deps.files;
          if (!files)
            return json(503, {
              error: 'no_file_store',
              message: '未配置文件存储(EVIDENCE_BUCKET),无法提供表格下载',
            });
          if (scope !== 'city' && !deps.campaign.towns.some((t) => t.id === scope))
            return json(400, { error: 'unknown_town', message: new UnknownTownError(scope).message });
          const job = await startJob({ files, clock: deps.clock }, deps.campaign, scope);
          const request: OfficeSummaryRequest = { type: 'office-summary', job, scope, caller };
          if (deps.later) {
            await deps.later(request);
          } else {
            // No summaries function (npm start, the tests): built here, before the answer.
            await runOfficeSummary({ ...deps, files }, request);
          }
          return json(202, { job, ...(await jobView({ files, clock: deps.clock }, deps.campaign, job)) });
        }
        // 表4 keyed by row id, as the CLI's JSON: consumers read `city.table4.t4_households.value`.
        return json(200, summaryJson(await buildSummaries(deps, actor, deps.campaign, scope)));
      }
      if (event.routeKey === 'GET /office/summaries/{job}') {
        if (!deps.files) return json(404, { error: 'unknown_job' });
        const job = event.pathParameters?.job ?? '';
        const view = await jobView({ files: deps.files, clock: deps.clock }, deps.campaign, job);
        if (view.status === 'unknown')
          return json(404, { error: 'unknown_job', message: '没有这个生成任务(或已过期,任务保留一天)' });
        return json(200, { job, ...view });
      }
      if (event.routeKey === 'POST /office/invites') {
        const req = InviteRequest.safeParse(body);
        if (!req.success) return json(400, { error: 'invalid_request', issues: req.error.issues });
        const invite = await createInvite(deps, actor, deps.campaign, req.data);
        return json(201, {
          role: invite.role,
          expiresAt: invite.expiresAt,
          link: `https://t.me/${deps.botUsername}?start=${invite.code}`,
        });
      }
      return json(404, { error: 'not_found' });
    } catch (err) {
      if (err instanceof UnknownTownError) return json(400, { error: 'unknown_town', message: err.message });
      if (err instanceof InviteInputError) return json(400, { error: err.reason });
      if (err instanceof ForbiddenError) return json(403, { error: 'forbidden' });
      throw err;
    }
  };
}

export const handler = middy<APIGatewayProxyEventV2WithIAMAuthorizer, Result>()
  // The event is never logged (POWERTOOLS_LOGGER_LOG_EVENT notwithstanding), as in every function.
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .handler(async (event) => {
    const rt = await runtime();
    logger.info('office api', { route: event.routeKey });
    return createOfficeApi({
      store: rt.store,
      campaign: rt.campaign,
      clock: systemClock,
      botUsername: rt.botUsername,
      files: rt.files,
      later: rt.invokeSummaries,
    })(event);
  });
