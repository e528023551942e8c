"""
Independent check of the portfolio engine (domain/backtest/portfolio.ts): the same configurations
simulated by vectorbt's cash-sharing Portfolio.from_orders on the shared AAPL, MSFT and SPY daily
files. Run offline (vectorbt is not a project dependency):

    python3 -m venv /tmp/vbt && /tmp/vbt/bin/pip install vectorbt==1.2.0
    /tmp/vbt/bin/python scripts/reference/portfolio_reference.py > test/fixtures/portfolio/vectorbt-reference.json

The decisions (which tickers, which weights) are computed here with the engine's documented rules
(first bar of each month / ISO week decides at its close, trades at the next bar; top-N by
63-bar momentum or inverse 20-return volatility), and handed to vectorbt as target percents on the
execution bars. vectorbt then does all the bookkeeping: group value at the fill prices, orders
sorted by value (call_seq='auto', sells first), slippage on the fill price, fees on traded value,
buys cut to the cash left. domain/backtest/portfolio-reference.test.ts runs our engine on the same
files and compares the equity curves to 1e-9.
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd
import vectorbt as vbt

SHARED = os.environ.get("TIDINGS_SHARED_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")
TICKERS = ["AAPL", "MSFT", "SPY"]
FILES = {"AAPL": ("AAPL_daily.tsv", "\t"), "MSFT": ("MSFT_daily.tsv", "\t"), "SPY": ("SPY_daily.csv", ",")}

CONFIGS = [
    {
        "name": "monthly top-2 of 3 by 63-bar momentum, equal weight, next open, 10 bps fees + 5 bps slippage",
        "rebalance": "monthly", "select": 2, "score": "momentum63", "weighting": "equal",
        "execution": "next-open", "costBps": 10, "slippageBps": 5,
    },
    {
        "name": "weekly all 3, inverse 20-return volatility, next close, 5 bps fees",
        "rebalance": "weekly", "select": 3, "score": "momentum63", "weighting": "inverse-volatility",
        "execution": "next-close", "costBps": 5, "slippageBps": 0,
    },
]


def load(ticker):
    name, sep = FILES[ticker]
    df = pd.read_csv(os.path.join(SHARED, "prices", name), sep=sep)
    df = df[["date", "open", "close"]].dropna()
    df["date"] = pd.to_datetime(df["date"])
    return df.sort_values("date").set_index("date")


def main():
    frames = {t: load(t) for t in TICKERS}
    start = max(f.index[0] for f in frames.values())
    end = min(f.index[-1] for f in frames.values())
    dates = None
    for f in frames.values():
        d = set(f.loc[start:end].index)
        dates = d if dates is None else dates & d
    dates = sorted(dates)
    opens = pd.DataFrame({t: frames[t].loc[dates, "open"].astype(float) for t in TICKERS})
    closes = pd.DataFrame({t: frames[t].loc[dates, "close"].astype(float) for t in TICKERS})
    n = len(dates)
    days = [int(pd.Timestamp(d).value // 86_400_000_000_000) for d in dates]

    def period(i, freq):
        if freq == "weekly":
            return (days[i] + 3) // 7
        return dates[i].year * 12 + dates[i].month - 1

    def momentum(col, d):
        if d < 63:
            return math.nan
        c = closes[col].values
        return c[d] / c[d - 63] - 1

    def volatility(col, d, lookback=20):
        c = closes[col].values
        if d < lookback:
            return math.nan
        rets = [c[i] / c[i - 1] - 1 for i in range(d - lookback + 1, d + 1)]
        mean = sum(rets) / len(rets)
        return math.sqrt(sum((r - mean) ** 2 for r in rets) / (len(rets) - 1))

    out = {"source": "vectorbt " + vbt.__version__ + " Portfolio.from_orders(size_type='targetpercent', cash_sharing=True, group_by=True, call_seq='auto', init_cash=1)",
           "tickers": TICKERS, "bars": n, "first": str(dates[0].date()), "last": str(dates[-1].date()), "configs": []}
    for cfg in CONFIGS:
        size = np.full((n, len(TICKERS)), np.nan)
        for d in range(n - 1):
            if not (d == 0 or period(d, cfg["rebalance"]) != period(d - 1, cfg["rebalance"])):
                continue
            scores = [momentum(t, d) for t in TICKERS]
            vols = [volatility(t, d) for t in TICKERS]
            eligible = [j for j in range(len(TICKERS)) if not math.isnan(scores[j]) and (cfg["weighting"] != "inverse-volatility" or vols[j] > 0)]
            ranked = sorted(eligible, key=lambda j: -scores[j])  # stable: ties keep universe order
            chosen = sorted(ranked[: cfg["select"]])
            raw = [1.0 if cfg["weighting"] == "equal" else 1 / vols[j] for j in chosen]
            total = sum(raw)
            row = np.zeros(len(TICKERS))
            for k, j in enumerate(chosen):
                row[j] = (raw[k] / total) * 1.0
            size[d + 1] = row
        price = opens.values if cfg["execution"] == "next-open" else closes.values
        pf = vbt.Portfolio.from_orders(
            closes, size=size, price=price, size_type="targetpercent", direction="both",
            fees=cfg["costBps"] / 10_000, slippage=cfg["slippageBps"] / 10_000, init_cash=1.0,
            cash_sharing=True, group_by=True, call_seq="auto", freq="1D",
        )
        value = pf.value().values
        out["configs"].append({**cfg, "orders": int(pf.orders.count()), "equity": [float(v) for v in value]})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
