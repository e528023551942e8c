import { partReadiness } from './health';

describe('partReadiness', () => {
  const now = Date.parse('2026-12-06T20:00:00Z');
  const parts = [
    { part: 'ingestion', taskQueue: 'tidings-ingest' },
    { part: 'scoring', taskQueue: 'tidings-scoring' },
  ];

  it('is ok when a worker polled both workflow and activity tasks recently, and names what is missing otherwise', () => {
    const pollers = new Map([
      ['tidings-ingest', { taskQueue: 'tidings-ingest', workflow: [{ identity: 'w1', lastAccessMs: now - 10_000 }], activity: [{ identity: 'w1', lastAccessMs: now - 30_000 }] }],
      // The scoring worker died two minutes ago: Temporal still lists it, with its last poll.
      ['tidings-scoring', { taskQueue: 'tidings-scoring', workflow: [{ identity: 'w2', lastAccessMs: now - 120_000 }], activity: [] }],
    ]);
    const result = partReadiness(parts, pollers, now, 75_000);
    expect(result.ingestion).toEqual({ ok: true, taskQueue: 'tidings-ingest', workflowPollers: 1, activityPollers: 1, lastPollAt: '2026-12-06T19:59:50.000Z' });
    expect(result.scoring).toEqual({
      ok: false,
      taskQueue: 'tidings-scoring',
      workflowPollers: 0,
      activityPollers: 0,
      lastPollAt: '2026-12-06T19:58:00.000Z',
      reason: "no worker polled task queue 'tidings-scoring' for workflow or activity tasks in the last 75 s",
    });
  });

  it('reports a queue Temporal never saw as never polled', () => {
    const result = partReadiness([{ part: 'ingestion', taskQueue: 'q' }], new Map(), now, 75_000);
    expect(result.ingestion).toMatchObject({ ok: false, lastPollAt: null, reason: expect.stringContaining("'q'") });
  });
});
