/**
 * Workflow and activity inputs and outputs: the one module both sides (and the services that
 * start workflows) import. Types and plain constants only, built from domain types: workflows
 * bundle it into Temporal's deterministic sandbox, so nothing here may do I/O or import above
 * domain/ (runtime/layers.test.ts checks it).
 */
export * from './ingestion';
export * from './prices';
export * from './sentiment';
export * from './signal-replay';
export * from './signals';
export * from './sweeps';
export * from './webhooks';
