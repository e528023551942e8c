/**
 * Live signals: recent signals for a watch list, then every new one as signalCreated delivers
 * it. The list never jumps: rows have a fixed height, and while you are scrolled down (or have
 * paused) new signals wait above the list behind a "N new" button instead of pushing rows away.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { graphql } from '../gql';
import type { LiveSignalFieldsFragment, SignalType } from '../gql/graphql';
import { subscribe, type SocketStatus } from '../lib/graphql';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useQuery } from '../lib/use-query';
import { pct, time, dateTime } from '../lib/format';
import { Status, TypeBadge } from '../components/Status';
import { Provenance } from './Provenance';

graphql(`
  fragment LiveSignalFields on Signal {
    id
    ticker
    type
    confidence
    riskLevel
    suggestedPositionSize
    asOf
    createdAt
    modelVersions
  }
`);

const RecentSignalsDoc = graphql(`
  query RecentSignals($filter: SignalFilterInput, $first: Int!) {
    signals(filter: $filter, first: $first) {
      edges {
        node {
          ...LiveSignalFields
        }
      }
    }
  }
`);

const SignalCreatedDoc = graphql(`
  subscription SignalCreated($tickers: [String!]!, $minConfidence: Float!) {
    signalCreated(tickers: $tickers, minConfidence: $minConfidence) {
      ...LiveSignalFields
    }
  }
`);

type Row = LiveSignalFieldsFragment & { live?: boolean };

export const DEFAULT_WATCHLIST = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'SPY', 'QQQ', 'JPM'];
const MAX_ROWS = 200;
const WATCH_KEY = 'tidings.watch';

function loadWatch(): { tickers: string[]; type: SignalType | ''; minConfidence: number } {
  try {
    const saved = JSON.parse(sessionStorage.getItem(WATCH_KEY) ?? 'null');
    if (saved && Array.isArray(saved.tickers)) return saved;
  } catch {
    /* fall through */
  }
  return { tickers: DEFAULT_WATCHLIST, type: '', minConfidence: 0 };
}

export function parseTickers(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((t) => t.trim().toUpperCase().replace(/^\$/, '')).filter(Boolean))].slice(0, 100);
}

export function LiveSignals() {
  const { socket } = useSession();
  const [watch, setWatch] = useState(loadWatch);
  const [tickerText, setTickerText] = useState(watch.tickers.join(' '));
  const [rows, setRows] = useState<Row[]>([]);
  const [pending, setPending] = useState<Row[]>([]);
  const [paused, setPaused] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [socketStatus, setSocketStatus] = useState<SocketStatus>({ state: 'connecting' });
  const [streamError, setStreamError] = useState<string | null>(null);
  const [received, setReceived] = useState(0);

  useEffect(() => sessionStorage.setItem(WATCH_KEY, JSON.stringify(watch)), [watch]);
  useEffect(() => socket.onStatus(setSocketStatus), [socket]);

  const recent = useQuery(RecentSignalsDoc, {
    filter: { tickers: watch.tickers, minConfidence: watch.minConfidence, ...(watch.type ? { type: watch.type } : {}) },
    first: 50,
  });
  useEffect(() => {
    if (recent.data) {
      setRows(recent.data.signals.edges.map((e) => e.node));
      setPending([]);
    }
  }, [recent.data]);

  // Incoming signals are gathered and applied once per animation frame, so a burst costs one render.
  const inbox = useRef<Row[]>([]);
  const frame = useRef(0);
  const holdRef = useRef(false);
  holdRef.current = paused;
  const flush = useCallback(() => {
    frame.current = 0;
    const batch = inbox.current.reverse();
    inbox.current = [];
    if (batch.length === 0) return;
    setReceived((n) => n + batch.length);
    const hold = holdRef.current || window.scrollY > 80;
    if (hold) setPending((p) => [...batch, ...p].slice(0, MAX_ROWS));
    else setRows((r) => dedupe([...batch, ...r]).slice(0, MAX_ROWS));
  }, []);

  useEffect(() => {
    setStreamError(null);
    const typeFilter = watch.type;
    return subscribe(
      socket,
      SignalCreatedDoc,
      { tickers: watch.tickers, minConfidence: watch.minConfidence },
      {
        next: (data) => {
          if (typeFilter && data.signalCreated.type !== typeFilter) return;
          inbox.current.push({ ...data.signalCreated, live: true });
          if (!frame.current) frame.current = requestAnimationFrame(flush);
        },
        error: (message) => setStreamError(message),
      },
    );
  }, [socket, watch, flush]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const showPending = () => {
    setRows((r) => dedupe([...pending, ...r]).slice(0, MAX_ROWS));
    setPending([]);
    window.scrollTo({ top: 0 });
  };
  useEffect(() => {
    if (!paused && pending.length && window.scrollY <= 80) showPending();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [paused]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const tickers = parseTickers(tickerText);
    if (tickers.length === 0) return;
    setWatch((w) => ({ ...w, tickers }));
  };

  const refused = socketStatus.state === 'refused';
  return (
    <section className="page live">
      <header className="page-head">
        <h2>Live signals</h2>
        <span className={`live-dot ${socketStatus.state}`} data-testid="socket-status" title="live connection">
          {socketStatus.state === 'connected' ? 'live' : socketStatus.state === 'refused' ? `stopped (${socketStatus.code})` : socketStatus.state}
        </span>
        <span className="muted small" data-testid="received-count">{received} received</span>
      </header>
      <form className="filters" onSubmit={apply} aria-label="Signal filters">
        <label className="grow">
          Tickers
          <input name="tickers" value={tickerText} onChange={(e) => setTickerText(e.target.value)} placeholder="AAPL MSFT NVDA" />
        </label>
        <label>
          Type
          <select name="type" value={watch.type} onChange={(e) => setWatch((w) => ({ ...w, type: e.target.value as SignalType | '' }))}>
            <option value="">all</option>
            <option value="BUY">BUY</option>
            <option value="SELL">SELL</option>
            <option value="HOLD">HOLD</option>
          </select>
        </label>
        <label>
          Min confidence <output>{watch.minConfidence.toFixed(2)}</output>
          <input
            name="minConfidence"
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={watch.minConfidence}
            onChange={(e) => setWatch((w) => ({ ...w, minConfidence: Number(e.target.value) }))}
          />
        </label>
        <button type="submit">Watch</button>
        <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </form>
      {streamError && <div className="state error" role="alert">Live stream: {streamError}</div>}
      {refused && <div className="state error" role="alert" data-testid="live-stopped">Live view stopped: {socketStatus.reason}</div>}
      <div className="pending-slot">
        {pending.length > 0 && (
          <button type="button" className="pending" onClick={showPending} data-testid="pending-button">
            {pending.length} new signal{pending.length === 1 ? '' : 's'} — show
          </button>
        )}
      </div>
      <Status loading={recent.loading} error={recent.error} empty={rows.length === 0} onRetry={recent.reload} emptyText={<>No signals yet for {watch.tickers.join(', ')}. New ones appear here as they are computed.</>}>
        <div className="signal-list" role="list" data-testid="signal-list">
          <div className="signal-row head" aria-hidden>
            <span>time</span>
            <span>ticker</span>
            <span>type</span>
            <span>confidence</span>
            <span className="hide-sm">risk</span>
            <span className="hide-sm">size</span>
          </div>
          {rows.map((s) => (
            <button type="button" role="listitem" key={s.id} className={`signal-row${s.live ? ' live' : ''}${selected === s.id ? ' selected' : ''}`} data-signal-id={s.id} onClick={() => setSelected(s.id)} title={`as of ${dateTime(s.asOf)}`}>
              <span className="muted">{time(s.createdAt)}</span>
              <span className="ticker">
                <Link to={`/tickers/${s.ticker}`} onClick={(e) => e.stopPropagation()}>
                  {s.ticker}
                </Link>
              </span>
              <span>
                <TypeBadge type={s.type} />
              </span>
              <span className="conf">
                <span className="bar" style={{ width: `${Math.round(s.confidence * 100)}%` }} />
                <span>{pct(s.confidence, 0)}</span>
              </span>
              <span className="hide-sm">{s.riskLevel}</span>
              <span className="hide-sm">{pct(s.suggestedPositionSize, 1)}</span>
            </button>
          ))}
        </div>
      </Status>
      {selected && <Provenance id={selected} onClose={() => setSelected(null)} />}
    </section>
  );
}

function dedupe(rows: Row[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}
