/**
 * Event studies: abnormal returns around news (or signal) events, against a market model. The
 * CAR curve is drawn with its bootstrap band; the table gives every day's figures with n and t.
 */
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { graphql } from '../gql';
import { EventSignalType, SentimentBin, type EventStudyQueryVariables } from '../gql/graphql';
import { useQuery } from '../lib/use-query';
import { num, pct } from '../lib/format';

const EventStudyDoc = graphql(`
  query EventStudy($input: EventStudyInput!) {
    eventStudy(input: $input) {
      tickers
      benchmark
      eventSource
      window
      estimation
      confidence
      eventsIn
      eventsUsed
      mergedSameDay
      droppedOverlapping
      overlapNote
      skipped {
        noPrices
        outsidePrices
        shortEstimation
      }
      days {
        day
        events
        aar
        aarT
        aarLow
        aarHigh
        car
        carT
        carLow
        carHigh
      }
    }
  }
`);

type Kind = 'sentiment' | 'keyword' | 'signal';

interface Band {
  day: number;
  car: number;
  low: number;
  high: number;
}

/** The CAR line over its confidence band, day 0 marked, in an SVG that scales with its box. */
export function CarChart({ points, confidence }: { points: Band[]; confidence: number }) {
  const W = 720;
  const H = 280;
  const pad = { l: 56, r: 12, t: 12, b: 28 };
  const lo = Math.min(0, ...points.map((p) => p.low));
  const hi = Math.max(0, ...points.map((p) => p.high));
  const span = hi - lo || 0.01;
  const d0 = points[0].day;
  const d1 = points[points.length - 1].day;
  const x = (d: number) => pad.l + ((d - d0) / Math.max(1, d1 - d0)) * (W - pad.l - pad.r);
  const y = (v: number) => pad.t + ((hi - v) / span) * (H - pad.t - pad.b);
  const line = (get: (p: Band) => number) => points.map((p) => `${x(p.day).toFixed(1)},${y(get(p)).toFixed(1)}`);
  const band = [...line((p) => p.high), ...line((p) => p.low).reverse()].join(' ');
  const ticks = Array.from({ length: 5 }, (_, i) => lo + (span * i) / 4);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="car-chart" role="img" aria-label="Cumulative abnormal return with its confidence band" data-testid="car-chart" data-points={points.length}>
      {ticks.map((v) => (
        <g key={v}>
          <line x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} className="grid-line" />
          <text x={pad.l - 6} y={y(v) + 4} textAnchor="end" className="axis">
            {pct(v, 1)}
          </text>
        </g>
      ))}
      {points.map((p) => (
        <text key={p.day} x={x(p.day)} y={H - 8} textAnchor="middle" className="axis">
          {p.day}
        </text>
      ))}
      <polygon points={band} className="car-band" data-testid="car-band" />
      <line x1={pad.l} x2={W - pad.r} y1={y(0)} y2={y(0)} className="zero-line" />
      {d0 <= 0 && d1 >= 0 && <line x1={x(0)} x2={x(0)} y1={pad.t} y2={H - pad.b} className="event-line" />}
      <polyline points={line((p) => p.car).join(' ')} className="car-line" />
      <title>{`CAR with its ${Math.round(confidence * 100)}% bootstrap band`}</title>
    </svg>
  );
}

export function EventStudy() {
  const [f, setF] = useState({ tickers: '', from: '2020-01-01', to: new Date().toISOString().slice(0, 10), kind: 'sentiment' as Kind, sentiment: 'POSITIVE', keyword: '', signalType: 'BUY', start: '-5', end: '10', benchmark: 'SPY', seed: '1' });
  const [vars, setVars] = useState<EventStudyQueryVariables | null>(null);
  const q = useQuery(EventStudyDoc, vars ?? ({} as EventStudyQueryVariables), { skip: !vars });
  const set = (k: keyof typeof f) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setF({ ...f, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const eventFilter =
      f.kind === 'sentiment' ? { sentiment: f.sentiment as SentimentBin } : f.kind === 'keyword' ? { keyword: f.keyword } : { signalType: f.signalType as EventSignalType };
    setVars({
      input: {
        tickers: f.tickers.split(/[\s,]+/).filter(Boolean),
        from: new Date(`${f.from}T00:00:00Z`).toISOString(),
        to: new Date(`${f.to}T00:00:00Z`).toISOString(),
        eventFilter,
        window: [Number(f.start), Number(f.end)],
        benchmark: f.benchmark,
        seed: Number(f.seed),
      },
    });
  };
  const s = q.data?.eventStudy;
  const points: Band[] = (s?.days ?? []).filter((d) => d.car != null).map((d) => ({ day: d.day, car: d.car!, low: d.carLow!, high: d.carHigh! }));
  return (
    <section className="page">
      <header className="page-head">
        <h2>Event study</h2>
        <span className="muted small">abnormal returns around events, market model over a clean pre-window</span>
      </header>
      <form className="panel form" onSubmit={submit} aria-label="Event study">
        <div className="fields">
          <label>
            Tickers <input name="tickers" value={f.tickers} onChange={set('tickers')} placeholder="AAPL, MSFT" required />
          </label>
          <label>
            From <input name="from" type="date" value={f.from} onChange={set('from')} required />
          </label>
          <label>
            To <input name="to" type="date" value={f.to} onChange={set('to')} required />
          </label>
          <label>
            Events
            <select name="kind" value={f.kind} onChange={set('kind')}>
              <option value="sentiment">sentiment bin</option>
              <option value="keyword">keyword</option>
              <option value="signal">signal type (replayed)</option>
            </select>
          </label>
          {f.kind === 'sentiment' && (
            <label>
              Sentiment
              <select name="sentiment" value={f.sentiment} onChange={set('sentiment')}>
                <option value="POSITIVE">positive</option>
                <option value="NEGATIVE">negative</option>
                <option value="NEUTRAL">neutral</option>
              </select>
            </label>
          )}
          {f.kind === 'keyword' && (
            <label>
              Keyword <input name="keyword" value={f.keyword} onChange={set('keyword')} required />
            </label>
          )}
          {f.kind === 'signal' && (
            <label>
              Signal
              <select name="signalType" value={f.signalType} onChange={set('signalType')}>
                <option value="BUY">turns BUY</option>
                <option value="SELL">turns SELL</option>
              </select>
            </label>
          )}
          <label>
            Window from <input name="start" type="number" max="0" min="-60" value={f.start} onChange={set('start')} />
          </label>
          <label>
            Window to <input name="end" type="number" min="0" max="120" value={f.end} onChange={set('end')} />
          </label>
          <label>
            Benchmark <input name="benchmark" value={f.benchmark} onChange={set('benchmark')} />
          </label>
          <label>
            Seed <input name="seed" type="number" value={f.seed} onChange={set('seed')} />
          </label>
        </div>
        {q.error && (
          <div className="state error" role="alert">
            {q.error}
          </div>
        )}
        <button type="submit" className="primary" disabled={q.loading && !!vars}>
          {q.loading && vars ? 'Running…' : 'Run study'}
        </button>
      </form>
      {s && (
        <div className="panel" data-testid="event-study-result">
          <p data-testid="event-study-summary">
            <strong>n = {s.eventsUsed}</strong> of {s.eventsIn} {s.eventSource === 'SIGNALS' ? 'signal' : 'article'} events · benchmark {s.benchmark} · estimation window [{s.estimation.join(', ')}]
            {s.skipped.noPrices + s.skipped.outsidePrices + s.skipped.shortEstimation > 0 &&
              ` · skipped: ${s.skipped.noPrices} without prices, ${s.skipped.outsidePrices} outside them, ${s.skipped.shortEstimation} with a short estimation window`}
          </p>
          <p className="muted small" data-testid="overlap-note">
            {s.overlapNote}
          </p>
          {points.length > 0 ? <CarChart points={points} confidence={s.confidence} /> : <div className="state empty">No event could be studied.</div>}
          {points.length > 0 && (
            <div className="scroll-x">
              <table className="grid" data-testid="event-study-table">
                <thead>
                  <tr>
                    <th>day</th>
                    <th>n</th>
                    <th>AAR</th>
                    <th>t</th>
                    <th>AAR {Math.round(s.confidence * 100)}% interval</th>
                    <th>CAR</th>
                    <th>t</th>
                    <th>CAR {Math.round(s.confidence * 100)}% interval</th>
                  </tr>
                </thead>
                <tbody>
                  {s.days.map((d) => (
                    <tr key={d.day}>
                      <td>{d.day}</td>
                      <td>{d.events}</td>
                      <td>{pct(d.aar, 2)}</td>
                      <td>{num(d.aarT)}</td>
                      <td>
                        [{pct(d.aarLow, 2)}, {pct(d.aarHigh, 2)}]
                      </td>
                      <td>{pct(d.car, 2)}</td>
                      <td>{num(d.carT)}</td>
                      <td>
                        [{pct(d.carLow, 2)}, {pct(d.carHigh, 2)}]
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
