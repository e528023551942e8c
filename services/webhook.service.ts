/**
 * Webhook endpoints and their deliveries as the API sees them. Endpoints belong to their owner;
 * admins may act on all. Someone else's endpoint or delivery is NOT_FOUND, exactly like one that
 * does not exist. The signing secret is returned once (create, rotate) and never again.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import { checkUrl, STRICT_POLICY, type DestinationPolicy } from '../domain/net/destination-guard';
import { DEFAULT_RETRY, generateWebhookSecret, normaliseFilterTickers, type WebhookRetryOptions } from '../domain/webhooks';
import { SignalType, WebhookDelivery, WebhookDeliveryAttempt, WebhookDeliveryStatus, WebhookEndpoint, WebhookKind } from '../entities';
import { deliverWebhookEventWorkflow, eventWorkflowId } from '../workflows/webhook.workflow';
import { decodeCursor, encodeCursor } from './cursor';
import { workflowQueue } from '../domain/task-queues';
import { countEndpointsOf, deliveryPage, insertReplayDelivery } from '../store/webhook-store';

export interface WebhookActor {
  userId: string;
  role: 'ADMIN' | 'USER';
}

export interface WebhookEndpointInput {
  url?: string;
  description?: string | null;
  tickers?: string[] | null;
  types?: SignalType[] | null;
  minConfidence?: number;
  kind?: WebhookKind;
  enabled?: boolean;
}

export const MAX_ENDPOINTS_PER_USER = 50;
const MAX_PAGE = 200;

const seesAll = (actor: WebhookActor) => actor.role === 'ADMIN';

export function validWebhookUrl(raw: string, policy: DestinationPolicy): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ServiceError('BAD_USER_INPUT', `"${raw.slice(0, 200)}" is not a URL`, { field: 'url' });
  }
  if (raw.length > 2000) throw new ServiceError('BAD_USER_INPUT', 'url is longer than 2000 characters', { field: 'url' });
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ServiceError('BAD_USER_INPUT', 'webhook URLs must be http or https', { field: 'url' });
  if (url.username || url.password) throw new ServiceError('BAD_USER_INPUT', 'webhook URLs must not carry credentials', { field: 'url' });
  // Checked again at every attempt, after DNS resolution (domain/feeds/fetch.ts guardedLookup).
  const refusal = checkUrl(url, policy);
  if (refusal) throw new ServiceError('BAD_USER_INPUT', `webhook URL ${refusal.reason}`, { field: 'url' });
  return url.toString();
}

export class WebhookService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly destinationPolicy: DestinationPolicy = STRICT_POLICY,
    private readonly retry: WebhookRetryOptions = DEFAULT_RETRY,
  ) {}

  private endpoints() {
    return this.db.getRepository(WebhookEndpoint);
  }

  async get(id: string, actor: WebhookActor): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints().findOneBy({ id });
    if (!endpoint || (!seesAll(actor) && endpoint.ownerId !== actor.userId)) throw new ServiceError('NOT_FOUND', `no webhook endpoint ${id}`);
    return endpoint;
  }

  list(actor: WebhookActor): Promise<WebhookEndpoint[]> {
    return this.endpoints().find({ where: seesAll(actor) ? {} : { ownerId: actor.userId }, order: { createdAt: 'ASC' } });
  }

  private filters(input: WebhookEndpointInput) {
    const out: Partial<WebhookEndpoint> = {};
    if (input.tickers !== undefined) {
      try {
        out.tickers = normaliseFilterTickers(input.tickers);
      } catch (err) {
        throw new ServiceError('BAD_USER_INPUT', (err as Error).message, { field: 'tickers' });
      }
    }
    if (input.types !== undefined) out.types = input.types && input.types.length ? [...new Set(input.types)].sort() : null;
    if (input.minConfidence !== undefined) {
      if (!(input.minConfidence >= 0 && input.minConfidence <= 1)) throw new ServiceError('BAD_USER_INPUT', 'minConfidence must be from 0 to 1', { field: 'minConfidence' });
      out.minConfidence = input.minConfidence;
    }
    if (input.description !== undefined) {
      const d = input.description?.trim() ?? null;
      if (d && d.length > 200) throw new ServiceError('BAD_USER_INPUT', 'description is longer than 200 characters', { field: 'description' });
      out.description = d || null;
    }
    if (input.url !== undefined) out.url = validWebhookUrl(input.url, this.destinationPolicy);
    return out;
  }

  async create(input: WebhookEndpointInput & { url: string }, actor: WebhookActor): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const kind = input.kind ?? WebhookKind.SIGNALS;
    if (kind === WebhookKind.OPERATOR && actor.role !== 'ADMIN') throw new ServiceError('FORBIDDEN', 'only admins register operator webhooks');
    const fields = this.filters(input);
    const n = await countEndpointsOf(this.db, actor.userId);
    if (n >= MAX_ENDPOINTS_PER_USER) throw new ServiceError('CONFLICT', `at most ${MAX_ENDPOINTS_PER_USER} webhook endpoints per user`);
    const secret = generateWebhookSecret();
    const endpoint = await this.endpoints().save(
      this.endpoints().create({ tickers: null, types: null, minConfidence: 0, description: null, ...fields, ownerId: actor.userId, kind, secret, enabled: true }),
    );
    return { endpoint, secret };
  }

  async update(id: string, input: WebhookEndpointInput, actor: WebhookActor): Promise<WebhookEndpoint> {
    const endpoint = await this.get(id, actor);
    const fields = this.filters(input);
    if (input.enabled === true && !endpoint.enabled) Object.assign(fields, { enabled: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 });
    if (input.enabled === false && endpoint.enabled) Object.assign(fields, { enabled: false, disabledReason: 'disabled by its owner', disabledAt: new Date() });
    if (Object.keys(fields).length > 0) await this.endpoints().update({ id }, fields);
    return this.get(id, actor);
  }

  async rotateSecret(id: string, actor: WebhookActor): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const endpoint = await this.get(id, actor);
    const secret = generateWebhookSecret();
    await this.endpoints().update({ id }, { secret });
    return { endpoint, secret };
  }

  /** Deletes the endpoint and its delivery records; deliveries still retrying stop at their next attempt. */
  async remove(id: string, actor: WebhookActor): Promise<boolean> {
    await this.get(id, actor);
    await this.endpoints().delete({ id });
    return true;
  }

  async deliveries(
    actor: WebhookActor,
    filter: { endpointId?: string; status?: WebhookDeliveryStatus },
    first: number,
    after?: string | null,
  ): Promise<{ deliveries: WebhookDelivery[]; hasNextPage: boolean; endCursor: string | null; cursors: string[] }> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new ServiceError('BAD_USER_INPUT', `first must be 1 to ${MAX_PAGE}`, { field: 'first' });
    if (filter.endpointId) await this.get(filter.endpointId, actor);
    const rows = await deliveryPage(this.db, { ownerId: seesAll(actor) ? undefined : actor.userId, endpointId: filter.endpointId, status: filter.status }, first + 1, after ? decodeCursor(after) : undefined);
    const page = rows.slice(0, first);
    const cursors = page.map((d) => encodeCursor(new Date(d.createdAt), d.id));
    return { deliveries: page, hasNextPage: rows.length > first, endCursor: cursors[cursors.length - 1] ?? null, cursors };
  }

  async delivery(id: string, actor: WebhookActor): Promise<WebhookDelivery> {
    const delivery = await this.db.getRepository(WebhookDelivery).findOneBy({ id });
    if (!delivery) throw new ServiceError('NOT_FOUND', `no webhook delivery ${id}`);
    try {
      await this.get(delivery.endpointId, actor);
    } catch {
      throw new ServiceError('NOT_FOUND', `no webhook delivery ${id}`);
    }
    return delivery;
  }

  attempts(deliveryId: string): Promise<WebhookDeliveryAttempt[]> {
    return this.db.getRepository(WebhookDeliveryAttempt).find({ where: { deliveryId }, order: { attempt: 'ASC' } });
  }

  /** Sends the same event again as a new delivery (new id, same body data), through the same workflow. */
  async replay(id: string, actor: WebhookActor): Promise<WebhookDelivery> {
    const original = await this.delivery(id, actor);
    const endpoint = await this.get(original.endpointId, actor);
    if (!endpoint.enabled) throw new ServiceError('CONFLICT', `the endpoint is disabled (${endpoint.disabledReason ?? 'by its owner'}); enable it first`);
    const eventKey = `${original.eventKey.split('#')[0]}#replay:${randomUUID()}`;
    const replayId = await insertReplayDelivery(this.db, original, eventKey);
    await this.temporal.workflow.start(deliverWebhookEventWorkflow, {
      taskQueue: workflowQueue(this.taskQueue, deliverWebhookEventWorkflow),
      workflowId: eventWorkflowId(eventKey),
      args: [{ deliveryIds: [replayId], retry: this.retry }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return this.delivery(replayId, actor);
  }
}
