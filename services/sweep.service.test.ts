import { SweepKind } from '../entities';
import { buildSweepParams, SWEEP_KEYS } from './sweep.service';

describe('sweeps read the strategy registry', () => {
  it('every registry strategy field is sweepable, next to costs and sizing', () => {
    expect(SWEEP_KEYS).toMatchObject({ enter: 'strategy', windowHours: 'strategy', fastWindow: 'strategy', slowWindow: 'strategy', costBps: 'top', fraction: 'sizing' });
  });

  it('sweeps the SMA crossover windows, dropping the combinations its validation refuses', () => {
    const { params, dropped } = buildSweepParams(
      {
        base: { ticker: 'SPY', from: '2010-01-01', to: '2015-01-01', strategy: { kind: 'smaCrossover', fastWindow: 50, slowWindow: 200 } },
        ranges: { fastWindow: [10, 20, 50], slowWindow: [20, 50] },
        seed: 1,
      },
      SweepKind.SWEEP,
    );
    // (20, 20), (50, 20) and (50, 50) have a slow window not above the fast one.
    expect(dropped).toBe(3);
    expect(params.configs.map((c) => c.params.strategy)).toEqual([
      { kind: 'smaCrossover', fastWindow: 10, slowWindow: 20, allowShort: false },
      { kind: 'smaCrossover', fastWindow: 10, slowWindow: 50, allowShort: false },
      { kind: 'smaCrossover', fastWindow: 20, slowWindow: 50, allowShort: false },
    ]);
  });
});
