import { ConfigError, DEFAULT_QUEUE_CONCURRENCY, loadConfig, workerQueuesFlag } from './config';

describe('task queue configuration', () => {
  it('serves every queue with the default slots unless told otherwise', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.taskQueue).toBe('tidings');
    expect(config.workerQueues).toEqual(['ingest', 'scoring', 'alerts', 'batch']);
    expect(config.queueConcurrency).toEqual(DEFAULT_QUEUE_CONCURRENCY);
  });

  it('reads the served set and per-queue slots from the environment', () => {
    const config = loadConfig({ NODE_ENV: 'test', TIDINGS_WORKER_QUEUES: 'batch,scoring', TIDINGS_BATCH_MAX_CONCURRENT_ACTIVITIES: '1', TIDINGS_ALERTS_MAX_CONCURRENT_WORKFLOW_TASKS: '64' });
    expect(config.workerQueues).toEqual(['batch', 'scoring']);
    expect(config.queueConcurrency.batch).toEqual({ maxConcurrentActivities: 1, maxConcurrentWorkflowTasks: DEFAULT_QUEUE_CONCURRENCY.batch.maxConcurrentWorkflowTasks });
    expect(config.queueConcurrency.alerts.maxConcurrentWorkflowTasks).toBe(64);
    expect(loadConfig({ NODE_ENV: 'test', TIDINGS_SCORING_ENCODER_MAX_CONCURRENT_ACTIVITIES: '3' }).queueConcurrency.scoring).toEqual({ ...DEFAULT_QUEUE_CONCURRENCY.scoring, maxConcurrentEncoderActivities: 3 });
    expect(loadConfig({ NODE_ENV: 'test' }).workerDbPoolSize).toBe(30);
    expect(loadConfig({ NODE_ENV: 'test', TIDINGS_WORKER_DB_POOL_SIZE: '12' }).workerDbPoolSize).toBe(12);
    expect(() => loadConfig({ NODE_ENV: 'test', TIDINGS_WORKER_DB_POOL_SIZE: 'x' })).toThrow(/TIDINGS_WORKER_DB_POOL_SIZE must be a positive integer/);
    expect(loadConfig({ NODE_ENV: 'test' }).workerNice).toBe(0);
    expect(loadConfig({ NODE_ENV: 'test', TIDINGS_WORKER_NICE: '10' }).workerNice).toBe(10);
    for (const bad of ['-1', '20', '2.5', 'low']) expect(() => loadConfig({ NODE_ENV: 'test', TIDINGS_WORKER_NICE: bad })).toThrow(/TIDINGS_WORKER_NICE must be a whole number from 0 to 19/);
    expect(() => loadConfig({ NODE_ENV: 'test', TIDINGS_SCORING_ENCODER_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow(/TIDINGS_SCORING_ENCODER_MAX_CONCURRENT_ACTIVITIES must be a positive integer/);
  });

  it('refuses bad values with the variable named', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', TIDINGS_WORKER_QUEUES: 'alert' })).toThrow(/TIDINGS_WORKER_QUEUES.*unknown task queue "alert"/);
    expect(() => loadConfig({ NODE_ENV: 'test', TIDINGS_SCORING_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow(/TIDINGS_SCORING_MAX_CONCURRENT_ACTIVITIES must be a positive integer/);
    expect(() => loadConfig({ NODE_ENV: 'test', TIDINGS_INGEST_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(/at least 2/);
    expect(() => loadConfig({ NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: 'tidings-alerts' })).toThrow(ConfigError);
  });

  it('takes --queues from the worker command line over the environment', () => {
    expect(workerQueuesFlag([])).toEqual({});
    expect(workerQueuesFlag(['--queues=alerts'])).toEqual({ workerQueues: ['alerts'] });
    expect(workerQueuesFlag(['--queues', 'ingest,scoring'])).toEqual({ workerQueues: ['ingest', 'scoring'] });
    expect(() => workerQueuesFlag(['--queues'])).toThrow(ConfigError);
    expect(() => workerQueuesFlag(['--queues=everything'])).toThrow(/--queues: unknown task queue/);
  });
});
