/** The Backtests pages' GraphQL documents (typed by graphql-codegen into web/src/gql). */
import { graphql } from '../../gql';

export const BacktestsDoc = graphql(`
  query BacktestList {
    backtests(first: 50) {
      id
      name
      status
      createdAt
      pValue
      params
      permutationsDone
      permutationsTotal
      workflowId
    }
  }
`);

export const StrategiesDoc = graphql(`
  query BacktestStrategies {
    backtestStrategies {
      name
      description
      suggestedSizing
      parameters {
        name
        type
        description
        default
        min
        max
        step
      }
    }
  }
`);

export const RunBacktestDoc = graphql(`
  mutation RunBacktest($input: RunBacktestInput!) {
    runBacktest(input: $input) {
      id
    }
  }
`);

export const RunSweepDoc = graphql(`
  mutation RunParameterSweep($input: ParameterSweepInput!) {
    runParameterSweep(input: $input) {
      id
      name
      status
      configsTotal
      workflowId
    }
  }
`);

export const BacktestDoc = graphql(`
  query BacktestDetail($id: ID!) {
    backtest(id: $id) {
      id
      name
      status
      error
      createdAt
      completedAt
      params
      metrics
      equityCurve
      pValue
      permutationsDone
      permutationsTotal
      workflowId
    }
  }
`);

/** The backtest's own ticker over its period: the buy-and-hold benchmark line. */
export const BenchmarkBarsDoc = graphql(`
  query BacktestBenchmarkBars($ticker: String!, $from: DateTimeISO!, $to: DateTimeISO!) {
    priceBars(ticker: $ticker, from: $from, to: $to, first: 5000) {
      time
      open
      close
    }
  }
`);

export const CancelDoc = graphql(`
  mutation CancelBacktest($id: ID!) {
    cancelBacktest(id: $id) {
      id
      status
    }
  }
`);

export const ProgressDoc = graphql(`
  subscription BacktestProgress($id: ID!) {
    backtestProgress(id: $id) {
      id
      done
      total
      status
    }
  }
`);

export const CompareDoc = graphql(`
  query CompareBacktests($ids: [ID!]!) {
    compareBacktests(ids: $ids) {
      id
      name
      status
      ticker
      strategy
      from
      to
      costBps
      slippageBps
      totalReturn
      cagr
      sharpe
      sortino
      calmar
      maxDrawdown
      trades
      winRate
      profitFactor
      exposure
      costsPaid
      pValue
      permutations
    }
  }
`);

export const CurvesDoc = graphql(`
  query CompareCurves($a: ID!) {
    backtest(id: $a) {
      id
      name
      equityCurve
    }
  }
`);
