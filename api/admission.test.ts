import { buildSchema } from 'graphql';
import { loadConfig } from '../config/config';
import type { Services } from '../services';
import { admissionLimits, createAdmission } from './admission';
import type { GraphQLContext } from './context';

describe('admitSubscription', () => {
  const schema = buildSchema('type Query { ok: Boolean } type Subscription { tick(every: Int): Int }');
  const admission = () =>
    createAdmission({ schema, services: {} as Services, limits: admissionLimits(loadConfig({ NODE_ENV: 'test' })), introspection: false, authDisabled: true, metrics: { rateLimited: () => undefined } });
  const ctx = () => ({ authDisabled: true }) as GraphQLContext;

  it('parses and validates a text once: every subscription of it shares one document', async () => {
    const admit = admission();
    const query = 'subscription Ticks($n: Int) { tick(every: $n) }';
    const first = await admit.admitSubscription(ctx(), { query, variables: { n: 1 } });
    const second = await admit.admitSubscription(ctx(), { query, variables: { n: 2 } });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.document).toBe(first.document);
    expect(second.operation?.name?.value).toBe('Ticks');
    // Another text (even one that differs only in spacing) is another document.
    const third = await admit.admitSubscription(ctx(), { query: 'subscription Ticks($n: Int) {  tick(every: $n) }' });
    expect(third.ok && third.document).not.toBe(first.document);
  });

  it('refuses an invalid or unparsable text every time it is sent, with its code', async () => {
    const admit = admission();
    for (let i = 0; i < 2; i++) {
      expect(await admit.admitSubscription(ctx(), { query: 'subscription { nope }' })).toMatchObject({ ok: false, code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(await admit.admitSubscription(ctx(), { query: 'subscription { tick(' })).toMatchObject({ ok: false, code: 'GRAPHQL_PARSE_FAILED' });
    }
  });
});
