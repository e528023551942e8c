/**
 * Finance words AFINN lacks or scores for everyday English ("cut", "beat", "miss" are
 * neutral or different there). Scale as AFINN: -5..5.
 */
export const FINANCE_TERMS: Readonly<Record<string, number>> = {
  beat: 2, beats: 2, surge: 3, surges: 3, surged: 3, soar: 3, soars: 3, soared: 3, rally: 2, rallies: 2, rallied: 2,
  jump: 2, jumps: 2, jumped: 2, gain: 2, gains: 2, gained: 2, rise: 1, rises: 1, rose: 1, climbs: 1, climb: 1,
  upgrade: 3, upgrades: 3, upgraded: 3, outperform: 2, outperforms: 2, overweight: 2, bullish: 3, buyback: 2,
  raises: 1, raised: 1, higher: 1, profit: 2, profits: 2, profitable: 2, growth: 2, boost: 2, boosts: 2,
  rebound: 2, rebounds: 2, recovers: 2, recovery: 2, record: 1, strong: 2, stronger: 2, tops: 2, upbeat: 2,
  expands: 1, expansion: 1, dividend: 1, hike: 1, accretive: 2, wins: 2, won: 2, approval: 2, approves: 2,
  miss: -2, misses: -2, missed: -2, plunge: -3, plunges: -3, plunged: -3, tumble: -3, tumbles: -3, tumbled: -3,
  slump: -3, slumps: -3, slumped: -3, sink: -2, sinks: -2, sank: -2, fall: -2, falls: -2, fell: -2, drop: -2,
  drops: -2, dropped: -2, decline: -2, declines: -2, declined: -2, downgrade: -3, downgrades: -3, downgraded: -3,
  underperform: -2, underweight: -2, bearish: -3, loss: -2, losses: -2, cut: -2, cuts: -2, slashes: -3, slash: -3,
  lower: -1, lowers: -2, lowered: -2, weak: -2, weaker: -2, weakness: -2, slowdown: -2, layoffs: -2, lays: -1,
  lawsuit: -2, probe: -2, bankruptcy: -3, bankrupt: -3, default: -2, defaults: -2, recall: -2, warns: -2,
  warning: -2, slides: -2, slid: -2, slide: -2, tank: -3, tanks: -3, tanked: -3, selloff: -3, crash: -3,
  crashes: -3, headwinds: -2, shortfall: -2, writedown: -2, impairment: -2, delisted: -3, fraud: -4, sues: -2,
  downbeat: -2, dip: -1, dips: -1, trimmed: -1, trims: -1, lags: -1, volatile: -1, deficit: -1, debt: -1,
};
