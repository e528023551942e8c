/**
 * Browser-facing rules: security headers (helmet) whose Content-Security-Policy keeps GraphiQL
 * working (every script and style sheet comes from our own origin, /graphiql/assets; the
 * WebSocket goes back to the same origin), and the Origin check for the graphql-ws upgrade.
 * CORS itself is `cors` with the CORS_ORIGINS allow-list, in api/server.ts.
 */
import helmet from 'helmet';

export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        // GraphiQL sets style attributes from script; its style sheet is ours.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        // 'self' covers ws:/wss: to the same host (CSP Level 3): GraphiQL's subscriptions.
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        // The API is served over plain HTTP on localhost by default; do not force https.
        'upgrade-insecure-requests': null,
      },
    },
    // HSTS only makes sense behind TLS, which a proxy in front of the API terminates.
    strictTransportSecurity: false,
  });
}

/**
 * The graphql-ws upgrade: with an allow-list, a browser (which always sends Origin) from another
 * origin is refused; clients that send no Origin (servers, CLIs) are not browsers and pass.
 * Without an allow-list every origin passes, as before.
 */
export function browserOriginAllowed(origin: string | undefined, allowList: string[]): boolean {
  if (allowList.length === 0 || !origin) return true;
  return allowList.includes(origin.replace(/\/$/, ''));
}
