import { correlationMatrix, logReturnsByDay, pearson } from './correlation';

const series = (values: Record<string, number>) => new Map(Object.entries(values));

describe('correlation', () => {
  it('pearson against a hand-computed case', () => {
    // x = 1,2,3,4; y = 2,4,5,9: mx 2.5, my 5; sxy = (-1.5)(-3)+(-0.5)(-1)+(0.5)(0)+(1.5)(4) = 4.5+0.5+0+6 = 11
    // sxx = 2.25+0.25+0.25+2.25 = 5; syy = 9+1+0+16 = 26; r = 11 / sqrt(130) = 0.964764
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(0.964764, 6);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(pearson([1], [1])).toBeNull();
  });

  it('aligns by day, pair by pair, and leaves undefined pairs null', () => {
    const a = series({ d1: 1, d2: 2, d3: 3, d4: 4 });
    const b = series({ d1: 2, d2: 4, d3: 5, d4: 9, d5: 100 }); // d5 has no partner in a
    const c = series({ d2: 3, d3: 2, d4: 1 }); // shares three days with a: 2,3,4 vs 3,2,1
    const flat = series({ d1: 5, d2: 5, d3: 5 });
    const { matrix, observations } = correlationMatrix([a, b, c, flat]);
    expect(matrix[0]![1]).toBeCloseTo(0.964764, 6);
    expect(matrix[1]![0]).toBe(matrix[0]![1]);
    expect(observations[0]![1]).toBe(4);
    expect(matrix[0]![2]).toBeCloseTo(-1, 12);
    expect(observations[0]![2]).toBe(3);
    expect(matrix[0]![0]).toBe(1);
    expect(matrix[3]![3]).toBeNull(); // a constant series has no correlation, not even with itself
    expect(matrix[0]![3]).toBeNull();
    // two shared days are too few
    expect(correlationMatrix([series({ x: 1, y: 2 }), series({ x: 2, y: 1 })]).matrix[0]![1]).toBeNull();
  });

  it('log returns keyed by the later day, in date order whatever the input order', () => {
    const r = logReturnsByDay([
      { day: '2025-01-03', close: 110 },
      { day: '2025-01-02', close: 100 },
      { day: '2025-01-06', close: 99 },
    ]);
    expect([...r.keys()]).toEqual(['2025-01-03', '2025-01-06']);
    expect(r.get('2025-01-03')).toBeCloseTo(Math.log(1.1), 12);
    expect(r.get('2025-01-06')).toBeCloseTo(Math.log(0.9), 12);
  });
});
