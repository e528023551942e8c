/**
 * EventStudyService's input rules against the real PostgreSQL (store/event-study-store):
 * every refusal is a BAD_USER_INPUT naming its field, made before any study runs, and a study
 * whose benchmark has no stored bars says so instead of returning an empty result.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { EventStudyService, type EventStudyRequest } from '../../../services/event-study.service';
import { testEnv } from '../../support/stack';

const FROM = new Date('2024-01-01T00:00:00Z');
const TO = new Date('2024-06-30T00:00:00Z');

describe('EventStudyService input', () => {
  let db: DataSource;
  let studies: EventStudyService;
  const request = (patch: Partial<EventStudyRequest> = {}): EventStudyRequest => ({ tickers: ['AAPL'], from: FROM, to: TO, eventFilter: { sentiment: 'positive' }, ...patch });

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    studies = new EventStudyService(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  const refusals: Array<[string, Partial<EventStudyRequest>]> = [
    ['tickers', { tickers: [] }],
    ['tickers', { tickers: Array.from({ length: 101 }, (_, i) => `T${i}`) }],
    ['benchmark', { tickers: ['SPY'], benchmark: 'SPY' }],
    ['from', { from: TO, to: FROM }],
    ['from', { from: new Date('nope') }],
    ['to', { from: new Date('1980-01-01'), to: new Date('2020-01-01') }],
    ['window', { window: [1, 5] }],
    ['window', { window: [-61, 5] }],
    ['window', { window: [-5, 121] }],
    ['window', { window: [0] }],
    ['bootstrapSamples', { bootstrapSamples: 99 }],
    ['seed', { seed: 1.5 }],
    ['eventFilter', { eventFilter: {} }],
    ['eventFilter', { eventFilter: { signalType: 'BUY', sentiment: 'positive' } }],
    ['eventFilter.signalType', { eventFilter: { signalType: 'HOLD' as never } }],
    ['eventFilter.sentiment', { eventFilter: { sentiment: 'ecstatic' as never } }],
    ['eventFilter.minScore', { eventFilter: { minScore: -2 } }],
    ['eventFilter.maxScore', { eventFilter: { maxScore: 1.5 } }],
    ['eventFilter.keyword', { eventFilter: { keyword: 'k'.repeat(101) } }],
    ['eventFilter.minRelevance', { eventFilter: { sentiment: 'negative', minRelevance: 2 } }],
  ];
  it.each(refusals)('refuses a bad %s', async (field, patch) => {
    await expect(studies.eventStudy(request(patch))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('says so when the benchmark has no stored daily bars', async () => {
    const benchmark = `E${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;
    await expect(studies.eventStudy(request({ benchmark }))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'benchmark' });
  });
});
