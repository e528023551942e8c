import { columnsFor } from './read-rows';

const COLUMNS = { id: 'a.id', title: 'a.title', publishedAt: 'a.published_at AS "publishedAt"', summary: 'a.summary' };

describe('columnsFor', () => {
  it('reads every column without a field list', () => {
    expect(columnsFor(COLUMNS, ['id'])).toBe('a.id, a.title, a.published_at AS "publishedAt", a.summary');
  });

  it('reads the fields asked for and the ones always needed, in the map order', () => {
    expect(columnsFor(COLUMNS, ['id', 'publishedAt'], ['summary'])).toBe('a.id, a.published_at AS "publishedAt", a.summary');
    expect(columnsFor(COLUMNS, ['id'], [])).toBe('a.id');
    expect(columnsFor(COLUMNS, ['id'], new Set(['title', 'id']))).toBe('a.id, a.title');
  });

  it('reads every column when a field has no column here (a caller that cannot say what it needs)', () => {
    expect(columnsFor(COLUMNS, ['id'], ['title', 'tickers'])).toBe('a.id, a.title, a.published_at AS "publishedAt", a.summary');
    expect(columnsFor(COLUMNS, ['id'], ['toString'])).toBe('a.id, a.title, a.published_at AS "publishedAt", a.summary');
  });
});

describe('columnsFor with the same field set again', () => {
  it('answers from what it built, per column map and always-list', () => {
    const fields = new Set(['title']);
    const other = { id: 'x.id', title: 'x.title' };
    expect(columnsFor(COLUMNS, ['id'], fields)).toBe('a.id, a.title');
    expect(columnsFor(COLUMNS, ['id'], fields)).toBe('a.id, a.title');
    expect(columnsFor(COLUMNS, ['id', 'summary'], fields)).toBe('a.id, a.title, a.summary');
    expect(columnsFor(other, ['id'], fields)).toBe('x.id, x.title');
  });
});
