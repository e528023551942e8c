/** A run's metrics or parameters (nested JSON) as one key/value table, headline figures first. */
import { num, pct } from '../../lib/format';

const HEADLINE = ['totalReturn', 'cagr', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'maxDrawdownDurationBars', 'trades', 'winRate', 'avgWin', 'avgLoss', 'profitFactor', 'exposure', 'costsPaid', 'permutation.pValue'];
const PERCENT = new Set(['totalReturn', 'cagr', 'maxDrawdown', 'winRate', 'exposure', 'costsPaid', 'avgWin', 'avgLoss']);
export function MetricsTable({ metrics }: { metrics: unknown }) {
  if (!metrics || typeof metrics !== 'object') return <div className="state empty">Not computed yet.</div>;
  const flat: Array<[string, unknown]> = [];
  const walk = (prefix: string, v: Record<string, unknown>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x && typeof x === 'object' && !Array.isArray(x)) walk(`${prefix}${k}.`, x as Record<string, unknown>);
      else flat.push([`${prefix}${k}`, x]);
    }
  };
  walk('', metrics as Record<string, unknown>);
  const rank = (k: string) => {
    const i = HEADLINE.indexOf(k);
    return i === -1 ? HEADLINE.length : i;
  };
  flat.sort((a, b) => rank(a[0]) - rank(b[0]));
  return (
    <table className="kv" data-testid="metrics">
      <tbody>
        {flat.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{typeof v === 'number' ? (PERCENT.has(k) ? pct(v, 2) : Number.isInteger(v) ? v : num(v, 4)) : v == null ? '—' : Array.isArray(v) ? v.join(', ') : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

