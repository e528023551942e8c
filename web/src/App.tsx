import { Link, match, usePath } from './lib/router';
import { SessionProvider, useSession } from './lib/session';
import { SignIn } from './pages/SignIn';
import { LiveSignals } from './pages/LiveSignals';
import { Articles } from './pages/Articles';
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { navigate } from './lib/router';
import { PipelineBanner } from './components/PipelineBanner';

// Pages with charts (lightweight-charts) and the operator pages load on first visit, so the
// live signal list, the page most people open first, ships the least JavaScript.
const Ticker = lazy(() => import('./pages/Ticker').then((m) => ({ default: m.Ticker })));
const Backtests = lazy(() => import('./pages/Backtests').then((m) => ({ default: m.Backtests })));
const BacktestDetail = lazy(() => import('./pages/Backtests').then((m) => ({ default: m.BacktestDetail })));
const EventStudy = lazy(() => import('./pages/EventStudy').then((m) => ({ default: m.EventStudy })));
const CompareBacktests = lazy(() => import('./pages/Backtests').then((m) => ({ default: m.CompareBacktests })));
const Portfolios = lazy(() => import('./pages/Portfolio').then((m) => ({ default: m.Portfolios })));
const PortfolioDetail = lazy(() => import('./pages/Portfolio').then((m) => ({ default: m.PortfolioDetail })));
const Operator = () => import('./pages/Operator');
const AdminOnly = lazy(() => Operator().then((m) => ({ default: m.AdminOnly })));
const Feeds = lazy(() => Operator().then((m) => ({ default: m.Feeds })));
const Flags = lazy(() => Operator().then((m) => ({ default: m.Flags })));
const Access = lazy(() => Operator().then((m) => ({ default: m.Access })));

export function App() {
  return (
    <SessionProvider signIn={(props) => <SignIn {...props} />}>
      <Shell />
    </SessionProvider>
  );
}

const NAV = [
  { to: '/', label: 'Live signals' },
  { to: '/articles', label: 'Articles' },
  { to: '/backtests', label: 'Backtests' },
  { to: '/portfolios', label: 'Portfolios' },
  { to: '/event-study', label: 'Event study' },
];
const ADMIN_NAV = [
  { to: '/operator/feeds', label: 'Feeds' },
  { to: '/operator/flags', label: 'Flags' },
  { to: '/operator/access', label: 'Keys & users' },
];

function Shell() {
  const { me, isAdmin, signOut } = useSession();
  const path = usePath();
  const [menu, setMenu] = useState(false);
  const [ticker, setTicker] = useState('');
  const goTicker = (e: FormEvent) => {
    e.preventDefault();
    const t = ticker.trim().toUpperCase().replace(/^\$/, '');
    if (t) navigate(`/tickers/${encodeURIComponent(t)}`);
    setTicker('');
  };
  const active = (to: string) => (to === '/' ? path === '/' : path.startsWith(to));
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="logo">◆</span> Tidings
        </Link>
        <button type="button" className="menu-toggle" aria-expanded={menu} aria-label="Menu" onClick={() => setMenu((m) => !m)}>
          ☰
        </button>
        <nav className={menu ? 'open' : ''} onClick={() => setMenu(false)} aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className={active(n.to) ? 'active' : ''}>
              {n.label}
            </Link>
          ))}
          {isAdmin && <span className="nav-sep" aria-hidden />}
          {isAdmin &&
            ADMIN_NAV.map((n) => (
              <Link key={n.to} to={n.to} className={active(n.to) ? 'active' : ''} data-admin>
                {n.label}
              </Link>
            ))}
        </nav>
        <form className="ticker-search" onSubmit={goTicker} role="search">
          <input aria-label="Go to ticker" placeholder="Ticker…" value={ticker} onChange={(e) => setTicker(e.target.value)} />
        </form>
        <div className="who">
          <span className="muted small" data-testid="who">
            {me.email} · {me.role.toLowerCase()}
          </span>
          <button type="button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <PipelineBanner />
        <Suspense fallback={<div className="state loading" role="status">Loading…</div>}>{route(path)}</Suspense>
      </main>
    </div>
  );
}

function route(path: string) {
  let m: Record<string, string> | null;
  if (path === '/' || path === '/signals') return <LiveSignals />;
  if ((m = match('/tickers/:ticker', path))) return <Ticker key={m.ticker} ticker={m.ticker.toUpperCase()} />;
  if (path === '/articles') return <Articles />;
  if (path === '/backtests') return <Backtests />;
  if (path === '/event-study') return <EventStudy />;
  if ((m = match('/backtests/compare/:ids', path))) return <CompareBacktests ids={m.ids.split(',').filter(Boolean)} />;
  if ((m = match('/backtests/:id', path))) return <BacktestDetail key={m.id} id={m.id} />;
  if (path === '/portfolios') return <Portfolios />;
  if ((m = match('/portfolios/:id', path))) return <PortfolioDetail key={m.id} id={m.id} />;
  if (path === '/operator/feeds')
    return (
      <AdminOnly>
        <Feeds />
      </AdminOnly>
    );
  if (path === '/operator/flags')
    return (
      <AdminOnly>
        <Flags />
      </AdminOnly>
    );
  if (path === '/operator/access')
    return (
      <AdminOnly>
        <Access />
      </AdminOnly>
    );
  return (
    <section className="page">
      <div className="state empty">
        No page at {path}. <Link to="/">Live signals</Link>
      </div>
    </section>
  );
}
