import type { ReactNode } from 'react';

/** One place for the three states every list and panel has: loading, error, empty. */
export function Status({ loading, error, empty, emptyText, children, onRetry }: { loading: boolean; error: string | null; empty?: boolean; emptyText?: ReactNode; children?: ReactNode; onRetry?: () => void }) {
  if (error)
    return (
      <div className="state error" role="alert">
        {error}
        {onRetry && (
          <button type="button" className="link" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    );
  if (loading && empty !== false) return <div className="state loading" role="status">Loading…</div>;
  if (empty) return <div className="state empty">{emptyText ?? 'Nothing here yet.'}</div>;
  return <>{children}</>;
}

export function Sentiment({ label, score }: { label?: string | null; score?: number | null }) {
  const t = score == null ? 'neutral' : score > 0.05 ? 'pos' : score < -0.05 ? 'neg' : 'neutral';
  const text = label ?? (score == null ? 'unscored' : t === 'pos' ? 'positive' : t === 'neg' ? 'negative' : 'neutral');
  return (
    <span className={`chip ${t}`} title={score == null ? 'not scored' : `score ${score.toFixed(2)}`}>
      {text}
      {score != null && <small> {score > 0 ? '+' : ''}{score.toFixed(2)}</small>}
    </span>
  );
}

export function TypeBadge({ type }: { type: string }) {
  return <span className={`badge ${type.toLowerCase()}`}>{type}</span>;
}

export function JsonTable({ value }: { value: unknown }) {
  if (value == null || typeof value !== 'object') return <div className="state empty">None recorded.</div>;
  // Nested objects flatten to dotted keys (windows.1d.count), so every figure gets its own row.
  const entries: Array<[string, unknown]> = [];
  const walk = (prefix: string, v: Record<string, unknown>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x && typeof x === 'object' && !Array.isArray(x)) walk(`${prefix}${k}.`, x as Record<string, unknown>);
      else entries.push([`${prefix}${k}`, x]);
    }
  };
  walk('', value as Record<string, unknown>);
  if (entries.length === 0) return <div className="state empty">None recorded.</div>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v == null ? '—' : Array.isArray(v) ? v.join(', ') : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
