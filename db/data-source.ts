import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ALL_ENTITIES } from '../entities';
import { ALL_MIGRATIONS } from '../migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export function createDataSource(url: string, opts: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    // All pending migrations in one transaction: a failure leaves the database as it was.
    migrationsTransactionMode: 'all',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL >= 13; no uuid-ossp extension needed.
    uuidExtension: 'pgcrypto',
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    poolSize: opts.poolSize ?? 10,
    applicationName: opts.applicationName ?? 'tidings',
    logging: false,
    extra: { connectionTimeoutMillis: 5000 },
  });
}
