/**
 * Adding a strategy touches one file, the registry: a strategy registered beside the real ones
 * appears in the backtestStrategies answer (the real schema, executed) and in the dashboard's
 * generated backtest and sweep forms (web/src/pages/backtests/strategy-form.ts, the model the
 * React forms render), with its parameters' types, defaults and ranges.
 */
import 'reflect-metadata';
import { graphql } from 'graphql';
import { STRATEGIES, type AnyStrategyEntry } from '../domain/backtest';
import type { Services } from '../services';
import { BacktestService } from '../services/backtest.service';
import { buildApiSchema } from './schema';
import type { GraphQLContext } from './context';
import {
  booleanParameters,
  initialAxes,
  initialStrategy,
  initialValues,
  inputStep,
  numberParameters,
  strategyInput,
  sweepRanges,
  type StrategyInfo,
} from '../web/src/pages/backtests/strategy-form';

/** A made-up strategy, written exactly as a registry entry is. */
const momentum: AnyStrategyEntry = {
  kind: 'momentum',
  graphqlName: 'MOMENTUM',
  description: 'long after a rise over the lookback',
  fields: {
    lookbackBars: { type: 'int', description: 'momentum: bars to look back', default: 20, min: 2, max: 500, step: 5 },
    threshold: { type: 'float', description: 'momentum: rise that triggers a long', default: 0.05, min: 0, max: 1, step: 0.01 },
    allowShort: { type: 'boolean', description: 'go short as well as long', default: false },
  },
  fromFlatInput: (f) => ({ kind: 'momentum', ...f }),
  validate: (raw) => raw,
  suggestedSizing: false,
  needs: () => ({}),
  positions: (bars) => ({ targets: new Float64Array(bars.close.length), inputs: {}, warnings: [] }),
};

const QUERY = `{ backtestStrategies { name kind description suggestedSizing parameters { name type description default min max step } } }`;

async function askStrategies(registry: readonly AnyStrategyEntry[]): Promise<StrategyInfo[]> {
  // strategies() reads only the registry: the service's database and Temporal client are never touched here.
  const backtests = new BacktestService(undefined as never, undefined as never, 'unused', registry);
  const contextValue = { requestId: 't', principal: null, authDisabled: true, services: { backtests } as unknown as Services } as GraphQLContext;
  const result = await graphql({ schema: await buildApiSchema(), source: QUERY, contextValue });
  expect(result.errors).toBeUndefined();
  return (result.data as { backtestStrategies: StrategyInfo[] }).backtestStrategies;
}

describe('backtestStrategies and the generated forms', () => {
  it('lists every registry strategy with its parameters, SMA_CROSSOVER included', async () => {
    const strategies = await askStrategies(STRATEGIES);
    expect(strategies.map((s) => s.name)).toEqual(['SIGNALS', 'SENTIMENT_THRESHOLD', 'SMA_CROSSOVER']);
    const sma = strategies.find((s) => s.name === 'SMA_CROSSOVER')!;
    expect(sma.parameters).toEqual([
      { name: 'fastWindow', type: 'INT', description: 'smaCrossover: bars in the fast average (default 50)', default: 50, min: 1, max: 10_000, step: 1 },
      { name: 'slowWindow', type: 'INT', description: 'smaCrossover: bars in the slow average (default 200)', default: 200, min: 2, max: 10_000, step: 1 },
      { name: 'allowShort', type: 'BOOLEAN', description: 'go short as well as long', default: 0, min: null, max: null, step: null },
    ]);
    const threshold = strategies.find((s) => s.name === 'SENTIMENT_THRESHOLD')!;
    expect(threshold.parameters.find((p) => p.name === 'enter')).toMatchObject({ type: 'FLOAT', default: 0.2, min: -1, max: 1 });
    expect(threshold.parameters.find((p) => p.name === 'holdingBars')).toMatchObject({ type: 'INT', default: null, min: 1 });
    expect(strategies.find((s) => s.name === 'SIGNALS')!.suggestedSizing).toBe(true);
    // The forms open on the sentiment strategy with the registry's defaults, as the hand-written form did.
    expect(initialStrategy(strategies)).toBe('SENTIMENT_THRESHOLD');
    expect(strategyInput(threshold, initialValues(threshold))).toEqual({ enter: 0.2, exit: 0, windowHours: 24, minRelevance: 0.2, allowShort: false });
    // Every default is a value the browser's number input accepts (min + k * step), or the form could not be sent as it opens.
    for (const s of strategies) {
      for (const p of s.parameters) {
        const step = inputStep(p);
        if (p.type === 'BOOLEAN' || p.default == null || step === 'any') continue;
        const k = (p.default - (p.min ?? 0)) / Number(step);
        expect([s.name, p.name, Math.abs(k - Math.round(k)) < 1e-9]).toEqual([s.name, p.name, true]);
      }
    }
    expect(inputStep(threshold.parameters.find((p) => p.name === 'windowHours')!)).toBe('any');
    expect(inputStep(threshold.parameters.find((p) => p.name === 'enter')!)).toBe('0.05');
  });

  it('a strategy added to the registry reaches the API answer and both generated forms', async () => {
    const strategies = await askStrategies([...STRATEGIES, momentum]);
    const info = strategies.find((s) => s.name === 'MOMENTUM');
    expect(info).toEqual({
      name: 'MOMENTUM',
      kind: 'momentum',
      description: 'long after a rise over the lookback',
      suggestedSizing: false,
      parameters: [
        { name: 'lookbackBars', type: 'INT', description: 'momentum: bars to look back', default: 20, min: 2, max: 500, step: 5 },
        { name: 'threshold', type: 'FLOAT', description: 'momentum: rise that triggers a long', default: 0.05, min: 0, max: 1, step: 0.01 },
        { name: 'allowShort', type: 'BOOLEAN', description: 'go short as well as long', default: 0, min: null, max: null, step: null },
      ],
    });
    // Backtest form: one number input per numeric parameter, checkboxes after, values from the defaults.
    expect(numberParameters(info).map((p) => [p.name, p.min, p.max, p.step])).toEqual([
      ['lookbackBars', 2, 500, 5],
      ['threshold', 0, 1, 0.01],
    ]);
    expect(booleanParameters(info).map((p) => p.name)).toEqual(['allowShort']);
    const values = { ...initialValues(info), lookbackBars: '40', allowShort: true };
    expect(strategyInput(info!, values)).toEqual({ lookbackBars: 40, threshold: 0.05, allowShort: true });
    // Sweep form: an axis per parameter, a single value until widened, then a grid within the registry's range.
    const axes = initialAxes(info);
    expect(sweepRanges(info!, axes)).toEqual({ lookbackBars: [20], threshold: [0.05] });
    axes.lookbackBars = { ...axes.lookbackBars, from: '10', to: '30' };
    axes.threshold = { ...axes.threshold, from: '0.01', to: '0.03' };
    axes.allowShort = { ...axes.allowShort, both: true };
    expect(sweepRanges(info!, axes)).toEqual({ lookbackBars: [10, 15, 20, 25, 30], threshold: [0.01, 0.02, 0.03], allowShort: [false, true] });
    axes.lookbackBars = { ...axes.lookbackBars, to: '600' };
    expect(() => sweepRanges(info!, axes)).toThrow('lookback bars: must be at most 500');
  });
});
