import { refillMs, retryAfterSeconds } from './rate-limit.service';

describe('token bucket arithmetic', () => {
  it('retry-after is the time to refill one whole token, at least one second', () => {
    expect(retryAfterSeconds(0, 60)).toBe(1); // one token per second
    expect(retryAfterSeconds(0, 6)).toBe(10); // one per 10 s
    expect(retryAfterSeconds(0.5, 6)).toBe(5);
    expect(retryAfterSeconds(0.99, 6000)).toBe(1);
  });

  it('a denial is remembered for exactly the refill time, not a rounded-up second', () => {
    expect(refillMs(0, 600)).toBe(100); // 10 tokens per second
    expect(refillMs(0.5, 60)).toBe(500);
    expect(refillMs(0, 6)).toBe(10_000);
    expect(refillMs(0.9999999, 6000)).toBe(1);
  });
});
