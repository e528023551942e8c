import type { IncomingMessage } from 'node:http';
import { fastGraphqlHandler, headersOf, type FastGraphqlOptions } from './http-graphql';
import { securityHeaders } from './browser';

const handler = (corsOrigins: string[] = []) => fastGraphqlHandler({ path: '/graphql', corsOrigins, staticHeaders: [] } as unknown as FastGraphqlOptions);
const req = (over: { method?: string; url?: string; headers?: Record<string, string> } = {}) =>
  ({ method: over.method ?? 'POST', url: over.url ?? '/graphql', headers: { 'content-type': 'application/json', 'content-length': '20', ...over.headers } }) as unknown as IncomingMessage;

describe('the direct POST /graphql path takes only what it answers as Express would', () => {
  it('plain JSON POSTs to /graphql', () => {
    const h = handler();
    expect(h.eligible(req())).toBe(true);
    expect(h.eligible(req({ headers: { 'content-type': 'application/json; charset=utf-8' } }))).toBe(true);
    expect(h.eligible(req({ headers: { origin: 'https://a.example' } }))).toBe(true); // no allow-list: cors adds nothing
  });

  it('everything else goes to Express', () => {
    const h = handler();
    expect(h.eligible(req({ method: 'GET' }))).toBe(false);
    expect(h.eligible(req({ method: 'OPTIONS' }))).toBe(false);
    expect(h.eligible(req({ url: '/graphql?x=1' }))).toBe(false);
    expect(h.eligible(req({ url: '/graphql/' }))).toBe(false);
    expect(h.eligible(req({ url: '/health' }))).toBe(false);
    expect(h.eligible(req({ headers: { 'content-type': 'application/graphql' } }))).toBe(false);
    expect(h.eligible(req({ headers: { 'content-type': 'application/json; charset=latin1' } }))).toBe(false);
    expect(h.eligible(req({ headers: { 'content-encoding': 'gzip' } }))).toBe(false);
    expect(h.eligible(req({ headers: { 'content-length': String(3 * 1024 * 1024) } }))).toBe(false);
    const chunked = req({ headers: { 'transfer-encoding': 'chunked' } });
    delete (chunked.headers as Record<string, unknown>)['content-length'];
    expect(h.eligible(chunked)).toBe(false);
    // With a CORS allow-list, a browser's request goes through cors.
    expect(handler(['https://a.example']).eligible(req({ headers: { origin: 'https://a.example' } }))).toBe(false);
    expect(handler(['https://a.example']).eligible(req())).toBe(true);
  });

  it('the static headers are helmet’s', () => {
    const headers = new Map(headersOf(securityHeaders()));
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(headers.has('strict-transport-security')).toBe(false);
  });
});
