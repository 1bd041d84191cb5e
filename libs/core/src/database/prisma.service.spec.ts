import { statementNames } from './prisma.service';

describe('statementNames', () => {
  it('gives one stable name per SQL text, distinct texts distinct names', () => {
    const name = statementNames(10);
    const a = name({ sql: 'SELECT 1' });
    expect(a).toMatch(/^bdj_[A-Za-z0-9_-]{24}$/);
    expect(name({ sql: 'SELECT 1' })).toBe(a);
    expect(name({ sql: 'SELECT 2' })).not.toBe(a);
    // Another process (or a restart) derives the same name from the same text.
    expect(statementNames(10)({ sql: 'SELECT 1' })).toBe(a);
  });

  it('names only the first `limit` texts; later ones run unnamed (empty name)', () => {
    const name = statementNames(2);
    const first = name({ sql: 'SELECT 1' });
    const second = name({ sql: 'SELECT 2' });
    expect(first).not.toBe('');
    expect(second).not.toBe('');
    expect(name({ sql: 'SELECT 3' })).toBe('');
    expect(name({ sql: 'SELECT 1' })).toBe(first);
  });

  it('0 turns the cache off', () => {
    expect(statementNames(0)({ sql: 'SELECT 1' })).toBe('');
  });
});
