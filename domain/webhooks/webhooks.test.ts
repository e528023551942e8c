import { createHmac } from 'node:crypto';
import { backoffMs, classifyStatus, generateWebhookSecret, normaliseFilterTickers, retryAfterDelayMs, signalMatches, signWebhook, verifyWebhook, webhookHeaders } from '.';

describe('webhook signing', () => {
  const secret = 'whsec_test';
  const body = '{"id":"d1","type":"signal.created"}';
  const now = new Date('2026-01-01T00:00:00Z');

  it('signs HMAC-SHA256 over "<timestamp>.<body>" as hex, with id, event and timestamp headers', () => {
    const headers = webhookHeaders({ deliveryId: 'd1', eventType: 'signal.created', secret, body, now });
    const ts = now.getTime() / 1000;
    expect(headers['tidings-webhook-timestamp']).toBe(String(ts));
    expect(headers['tidings-webhook-id']).toBe('d1');
    expect(headers['tidings-webhook-event']).toBe('signal.created');
    const hand = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    expect(headers['tidings-webhook-signature']).toBe(`v1=${hand}`);
    expect(signWebhook(secret, ts, body)).toBe(`v1=${hand}`);
  });

  it('verifies a genuine delivery and refuses a changed body, a wrong secret, an old timestamp and missing headers', () => {
    const headers = webhookHeaders({ deliveryId: 'd1', eventType: 'signal.created', secret, body, now });
    expect(verifyWebhook({ secret, headers, body, now })).toEqual({ ok: true, deliveryId: 'd1', timestamp: now.getTime() / 1000 });
    expect(verifyWebhook({ secret, headers, body: body.replace('d1', 'd2'), now })).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verifyWebhook({ secret: 'whsec_other', headers, body, now })).toMatchObject({ ok: false });
    const later = new Date(now.getTime() + 301_000);
    expect(verifyWebhook({ secret, headers, body, now: later })).toEqual({ ok: false, reason: 'timestamp outside the 300 s tolerance' });
    expect(verifyWebhook({ secret, headers: { ...headers, 'tidings-webhook-id': undefined }, body, now })).toEqual({ ok: false, reason: 'missing webhook headers' });
    // Rotation: any of several v1 values may match.
    const rotated = { ...headers, 'tidings-webhook-signature': `v1=${'0'.repeat(64)}, ${headers['tidings-webhook-signature']}` };
    expect(verifyWebhook({ secret, headers: rotated, body, now }).ok).toBe(true);
  });

  it('makes distinct, long secrets', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});

describe('delivery policy', () => {
  it('2xx delivers, 4xx other than 408/429 stops, everything else retries', () => {
    expect([200, 204, 299].map(classifyStatus)).toEqual(['delivered', 'delivered', 'delivered']);
    expect([400, 401, 404, 410, 422].map(classifyStatus)).toEqual(Array(5).fill('permanent'));
    expect([408, 429, 500, 503, 301, 100].map(classifyStatus)).toEqual(Array(6).fill('retry'));
  });

  it('backs off exponentially up to the cap and bounds Retry-After', () => {
    const opts = { initialIntervalMs: 10_000, maxIntervalMs: 3_600_000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(n, opts))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(20, opts)).toBe(3_600_000);
    expect(retryAfterDelayMs(undefined, opts)).toBeUndefined();
    expect(retryAfterDelayMs(0, opts)).toBe(1000);
    expect(retryAfterDelayMs(120, opts)).toBe(120_000);
    expect(retryAfterDelayMs(86_400, opts)).toBe(3_600_000);
  });

  it('filters signals by tickers, types and minimum confidence', () => {
    const s = { ticker: 'AAPL', type: 'BUY', confidence: 0.6 };
    expect(signalMatches({ tickers: null, types: null, minConfidence: 0 }, s)).toBe(true);
    expect(signalMatches({ tickers: ['MSFT'], types: null, minConfidence: 0 }, s)).toBe(false);
    expect(signalMatches({ tickers: ['AAPL'], types: ['SELL'], minConfidence: 0 }, s)).toBe(false);
    expect(signalMatches({ tickers: ['AAPL'], types: ['BUY'], minConfidence: 0.6 }, s)).toBe(true);
    expect(signalMatches({ tickers: null, types: null, minConfidence: 0.7 }, s)).toBe(false);
  });

  it('normalises filter tickers and names a bad one', () => {
    expect(normaliseFilterTickers([' msft', 'AAPL', 'aapl'])).toEqual(['AAPL', 'MSFT']);
    expect(normaliseFilterTickers([])).toBeNull();
    expect(normaliseFilterTickers(undefined)).toBeNull();
    expect(() => normaliseFilterTickers(['1BAD'])).toThrow(/'1BAD' is not valid/);
  });
});
