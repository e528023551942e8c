/**
 * One ticker: candles (when bars exist), sentiment per interval from tickerSentiment in a pane
 * below, the emotion band (shares per emotion from tickerEmotions, stacked) in a pane below
 * that, and signal markers, all on one time axis; then recent articles and the latest
 * technical features (from the newest signal's features).
 */
import { useState } from 'react';
import { AreaSeries, CandlestickSeries, HistogramSeries, LineSeries, createSeriesMarkers, type SeriesMarker, type UTCTimestamp } from 'lightweight-charts';
import { graphql } from '../gql';
import type { BucketInterval } from '../gql/graphql';
import { useQuery } from '../lib/use-query';
import { dateTime, day } from '../lib/format';
import { useChart, toChartTime } from '../components/Chart';
import { JsonTable, Sentiment, Status, TypeBadge } from '../components/Status';

const TickerDoc = graphql(`
  query TickerPage($ticker: String!, $barsFrom: DateTimeISO!, $to: DateTimeISO!, $bars: Int!) {
    priceBars(ticker: $ticker, from: $barsFrom, to: $to, first: $bars) {
      time
      open
      high
      low
      close
    }
    signals(filter: { tickers: [$ticker] }, first: 200) {
      edges {
        node {
          id
          type
          confidence
          asOf
          features
          modelVersions
        }
      }
    }
    articles(filter: { tickers: [$ticker] }, first: 10) {
      edges {
        node {
          id
          title
          url
          publishedAt
          source
          sentiment {
            label
            score
            modelVersion
          }
        }
      }
    }
  }
`);

const SentimentDoc = graphql(`
  query TickerSentiment($ticker: String!, $from: DateTimeISO!, $to: DateTimeISO!, $interval: BucketInterval!) {
    tickerSentiment(ticker: $ticker, from: $from, to: $to, interval: $interval) {
      bucketStart
      count
      meanScore
      positiveShare
      negativeShare
    }
  }
`);

const EmotionsDoc = graphql(`
  query TickerEmotions($ticker: String!, $from: DateTimeISO!, $to: DateTimeISO!, $interval: BucketInterval!) {
    tickerEmotions(ticker: $ticker, from: $from, to: $to, interval: $interval) {
      bucketStart
      count
      shares {
        neutral
        happy
        sad
        anger
        disgust
        surprise
        fear
      }
    }
  }
`);

/** Stack order (bottom first) and colour of each emotion in the band. */
const EMOTIONS = [
  { key: 'fear', color: '#db6d28' },
  { key: 'anger', color: '#f85149' },
  { key: 'disgust', color: '#a371f7' },
  { key: 'sad', color: '#58a6ff' },
  { key: 'surprise', color: '#d29922' },
  { key: 'happy', color: '#3fb950' },
  { key: 'neutral', color: '#484f58' },
] as const;

const RANGES = [
  { label: '3M', bars: 63 },
  { label: '1Y', bars: 252 },
  { label: '3Y', bars: 756 },
  { label: '10Y', bars: 2520 },
];

export function Ticker({ ticker }: { ticker: string }) {
  const [range, setRange] = useState(RANGES[1]);
  const [interval, setInterval] = useState<BucketInterval>('DAY');
  const [now] = useState(() => new Date().toISOString());
  const page = useQuery(TickerDoc, { ticker, barsFrom: '1970-01-01T00:00:00Z', to: now, bars: range.bars });
  const bars = page.data?.priceBars ?? [];
  const signals = page.data?.signals.edges.map((e) => e.node) ?? [];
  // Sentiment covers the candles' window, or the last 90 days when there are no bars.
  // The API caps buckets per request (hourly: a year, daily: ten years, weekly: ~19 years).
  const maxSpanMs = { HOUR: 365, DAY: 3650, WEEK: 999 * 7 }[interval] * 86_400_000;
  const wanted = bars.length ? Date.parse(bars[0].time) : Date.parse(now) - 90 * 86_400_000;
  const from = new Date(Math.max(wanted, Date.parse(now) - maxSpanMs)).toISOString();
  const sentiment = useQuery(SentimentDoc, { ticker, from, to: now, interval }, { skip: !page.data });
  const buckets = sentiment.data?.tickerSentiment ?? [];
  const emotions = useQuery(EmotionsDoc, { ticker, from, to: now, interval }, { skip: !page.data });
  const emotionBuckets = emotions.data?.tickerEmotions ?? [];
  const latest = signals[0];

  const chartRef = useChart(
    (chart) => {
      if (!page.data) return;
      const markers: SeriesMarker<UTCTimestamp>[] = [];
      const barTimes = bars.map((b) => toChartTime(b.time));
      // A marker sits on the bar its signal falls in (the last bar at or before its as-of).
      for (const s of [...signals].reverse()) {
        const t = toChartTime(s.asOf);
        let at = t;
        if (barTimes.length) {
          if (t < barTimes[0]) continue;
          let i = barTimes.length - 1;
          while (i > 0 && barTimes[i] > t) i--;
          at = barTimes[i];
        }
        markers.push({
          time: at,
          position: s.type === 'SELL' ? 'aboveBar' : 'belowBar',
          shape: s.type === 'BUY' ? 'arrowUp' : s.type === 'SELL' ? 'arrowDown' : 'circle',
          color: s.type === 'BUY' ? '#3fb950' : s.type === 'SELL' ? '#f85149' : '#8b949e',
          text: s.type,
        });
      }
      markers.sort((a, b) => a.time - b.time);
      const histogram = chart.addSeries(HistogramSeries, { priceFormat: { type: 'price', precision: 2, minMove: 0.01 }, title: 'sentiment' }, bars.length ? 1 : 0);
      histogram.setData(
        buckets
          .filter((b) => b.meanScore != null)
          .map((b) => ({ time: toChartTime(b.bucketStart), value: b.meanScore!, color: b.meanScore! >= 0 ? '#3fb95099' : '#f8514999' })),
      );
      // The emotion band: cumulative shares drawn as areas from the top of the stack down, so
      // each emotion shows as the strip between its cumulative share and the one below it.
      const emotionPane = bars.length ? 2 : 1;
      if (emotionBuckets.length) {
        const times = emotionBuckets.map((b) => toChartTime(b.bucketStart));
        let cumulative = emotionBuckets.map(() => 0);
        const layers = EMOTIONS.map((e) => {
          cumulative = cumulative.map((c, i) => c + emotionBuckets[i].shares[e.key]);
          return { ...e, values: [...cumulative] };
        });
        for (const layer of [...layers].reverse()) {
          const area = chart.addSeries(
            AreaSeries,
            { lineColor: layer.color, topColor: layer.color, bottomColor: layer.color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false, title: '', priceFormat: { type: 'percent' } },
            emotionPane,
          );
          area.setData(times.map((time, i) => ({ time, value: Math.min(1, layer.values[i]) * 100 })));
        }
      }
      if (bars.length) {
        const candles = chart.addSeries(CandlestickSeries, { upColor: '#3fb950', downColor: '#f85149', borderVisible: false, wickUpColor: '#3fb950', wickDownColor: '#f85149' }, 0);
        candles.setData(bars.map((b) => ({ time: toChartTime(b.time), open: b.open, high: b.high, low: b.low, close: b.close })));
        createSeriesMarkers(candles, markers);
        const panes = chart.panes();
        if (panes[2]) {
          // candles, sentiment and the emotion band share the height 3:1:1
          panes[0].setStretchFactor(0.6);
          panes[1].setStretchFactor(0.2);
          panes[2].setStretchFactor(0.2);
        } else if (panes[1]) panes[1].setHeight(90);
      } else if (markers.length) {
        // No candles: markers ride on a flat line at 0 through the signal times.
        const line = chart.addSeries(LineSeries, { color: '#30363d', lineWidth: 1, priceLineVisible: false, lastValueVisible: false }, 0);
        const times = [...new Set(markers.map((m) => m.time))].sort((a, b) => a - b);
        line.setData(times.map((t) => ({ time: t, value: 0 })));
        createSeriesMarkers(line, markers);
      }
    },
    [page.data, sentiment.data, emotions.data],
  );

  return (
    <section className="page ticker-page">
      <header className="page-head">
        <h2>{ticker}</h2>
        {latest && (
          <span>
            latest <TypeBadge type={latest.type} /> <span className="muted small">{dateTime(latest.asOf)}</span>
          </span>
        )}
        <span className="spacer" />
        <div className="seg" role="group" aria-label="Range">
          {RANGES.map((r) => (
            <button type="button" key={r.label} aria-pressed={r === range} onClick={() => setRange(r)}>
              {r.label}
            </button>
          ))}
        </div>
        <select aria-label="Sentiment interval" value={interval} onChange={(e) => setInterval(e.target.value as BucketInterval)}>
          <option value="HOUR">hourly</option>
          <option value="DAY">daily</option>
          <option value="WEEK">weekly</option>
        </select>
      </header>
      <Status loading={page.loading} error={page.error} empty={!page.data}>
        <div className="panel">
          <p className="muted small chart-caption">
            {bars.length ? `${bars.length} daily bars, ${day(bars[0].time)} to ${day(bars[bars.length - 1].time)}` : 'No price bars stored for this ticker (import them with importPrices).'} · sentiment per{' '}
            {interval.toLowerCase()} ({buckets.length} buckets) · emotions in {emotionBuckets.length} buckets · {signals.length} signal markers
          </p>
          {sentiment.error && <div className="state error" role="alert">Sentiment: {sentiment.error}</div>}
          {emotions.error && <div className="state error" role="alert">Emotions: {emotions.error}</div>}
          {bars.length === 0 && buckets.length === 0 && signals.length === 0 ? (
            <div className="state empty">No prices, sentiment or signals for {ticker} yet.</div>
          ) : (
            <div className="chart tall" ref={chartRef} data-testid="ticker-chart" />
          )}
          {emotionBuckets.length > 0 && (
            <p className="muted small emotion-legend" data-testid="emotion-legend">
              emotion band (share of articles per {interval.toLowerCase()}, bottom pane):{' '}
              {EMOTIONS.map((e) => (
                <span key={e.key} className="emotion-key">
                  <span className="swatch" style={{ background: e.color }} /> {e.key}{' '}
                </span>
              ))}
            </p>
          )}
        </div>
        <div className="two-col">
          <div className="panel">
            <h3>Recent articles</h3>
            {page.data && page.data.articles.edges.length === 0 ? (
              <div className="state empty">No articles mention {ticker} yet.</div>
            ) : (
              <ul className="articles">
                {page.data?.articles.edges.map(({ node: a }) => (
                  <li key={a.id}>
                    <Sentiment label={a.sentiment?.label} score={a.sentiment?.score} />
                    <span className="title">{a.url ? <a href={a.url} target="_blank" rel="noreferrer noopener">{a.title}</a> : a.title}</span>
                    <span className="muted small">
                      {dateTime(a.publishedAt)} · {a.source}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div className="panel">
            <h3>Latest technical and sentiment features</h3>
            {latest ? (
              <>
                <p className="muted small">from the signal as of {dateTime(latest.asOf)}</p>
                <JsonTable value={latest.features} />
              </>
            ) : (
              <div className="state empty">No signal yet, so no features computed.</div>
            )}
          </div>
        </div>
      </Status>
    </section>
  );
}
