/**
 * The metrics store's SQLite layer: opening the file with its pragmas, the schema (raw samples,
 * 1-minute pool rows, resize events, and a key/value `meta` table for the roll-up mark), the
 * statements, and the mapping of rows to the roll-up's values. No logic of its own: when to roll
 * up, what to prune and which window to read are metrics-store.ts's.
 */
import Database from 'better-sqlite3';
import type { ResizeEvent } from '../wire/index.js';
import type { PoolPoint, RollupSample } from './rollup.js';

/** A pool resize, as recorded by the manager and read by the dashboard (also its `events` row). */
export type { ResizeEvent };

/** A `samples` row: one pushed snapshot, timed by the manager's clock. */
export interface SampleRow {
  address: string;
  time_ms: number;
  started_at_ms: number;
  items: number;
  used_bytes: number;
  requests_total: number;
  get_requests_total: number;
  hits_total: number;
  misses_total: number;
}

/** A `minutes` row: one rolled-up minute of the whole pool. */
export interface MinuteRow {
  minute_ms: number;
  nodes: number;
  items: number;
  used_bytes: number;
  requests: number;
  get_requests: number;
  hits: number;
  misses: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS samples (
  address TEXT NOT NULL, time_ms INTEGER NOT NULL, started_at_ms INTEGER NOT NULL,
  cache_index INTEGER NOT NULL, items INTEGER NOT NULL, used_bytes INTEGER NOT NULL,
  capacity_bytes INTEGER NOT NULL, requests_total INTEGER NOT NULL,
  get_requests_total INTEGER NOT NULL, hits_total INTEGER NOT NULL, misses_total INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS samples_time ON samples (time_ms);
CREATE INDEX IF NOT EXISTS samples_address_time ON samples (address, time_ms);
CREATE TABLE IF NOT EXISTS minutes (
  minute_ms INTEGER PRIMARY KEY, nodes INTEGER NOT NULL, items INTEGER NOT NULL,
  used_bytes INTEGER NOT NULL, requests INTEGER NOT NULL, get_requests INTEGER NOT NULL,
  hits INTEGER NOT NULL, misses INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  time_ms INTEGER NOT NULL, old_size INTEGER NOT NULL, new_size INTEGER NOT NULL, cause TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_time ON events (time_ms);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/**
 * Opens (creating when missing) the database at `path` (`:memory:` for none) in WAL mode and
 * creates the tables it lacks. The caller closes it.
 */
export function openStoreDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  return db;
}

/** The store's statements; call once per database. */
export function prepareStoreStatements(db: Database.Database) {
  return {
    insertSample: db.prepare(
      `INSERT INTO samples (address, time_ms, started_at_ms, cache_index, items, used_bytes, capacity_bytes,
         requests_total, get_requests_total, hits_total, misses_total)
       VALUES (@address, @timeMs, @startedAtMs, @cacheIndex, @items, @usedBytes, @capacityBytes,
         @requestsTotal, @getRequestsTotal, @hitsTotal, @missesTotal)`,
    ),
    samplesBetween: db.prepare<[number, number], SampleRow>(
      'SELECT * FROM samples WHERE time_ms >= ? AND time_ms <= ? ORDER BY time_ms',
    ),
    nodeSamplesBetween: db.prepare<[string, number, number], SampleRow>(
      'SELECT * FROM samples WHERE address = ? AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms',
    ),
    lastSamples: db.prepare<[], SampleRow>(
      `SELECT s.* FROM samples s JOIN (SELECT address, MAX(time_ms) AS t FROM samples GROUP BY address) m
         ON s.address = m.address AND s.time_ms = m.t`,
    ),
    upsertMinute: db.prepare(
      `INSERT OR REPLACE INTO minutes (minute_ms, nodes, items, used_bytes, requests, get_requests, hits, misses)
       VALUES (@minuteMs, @nodes, @items, @usedBytes, @requests, @getRequests, @hits, @misses)`,
    ),
    minutesBetween: db.prepare<[number, number], MinuteRow>(
      'SELECT * FROM minutes WHERE minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms',
    ),
    insertEvent: db.prepare(
      'INSERT INTO events (time_ms, old_size, new_size, cause) VALUES (?, ?, ?, ?)',
    ),
    eventsSince: db.prepare<[number], ResizeEvent>(
      'SELECT time_ms, old_size, new_size, cause FROM events WHERE time_ms >= ? ORDER BY time_ms',
    ),
    getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    pruneSamples: db.prepare('DELETE FROM samples WHERE time_ms < ?'),
    pruneMinutes: db.prepare('DELETE FROM minutes WHERE minute_ms < ?'),
    pruneEvents: db.prepare('DELETE FROM events WHERE time_ms < ?'),
    count: db.prepare<[], { samples: number; minutes: number; events: number }>(
      `SELECT (SELECT COUNT(*) FROM samples) AS samples, (SELECT COUNT(*) FROM minutes) AS minutes,
              (SELECT COUNT(*) FROM events) AS events`,
    ),
  };
}

/** A `samples` row as the roll-up's sample. */
export function toSample(row: SampleRow): RollupSample {
  return {
    address: row.address,
    timeMs: row.time_ms,
    startedAtMs: row.started_at_ms,
    items: row.items,
    usedBytes: row.used_bytes,
    requestsTotal: row.requests_total,
    getRequestsTotal: row.get_requests_total,
    hitsTotal: row.hits_total,
    missesTotal: row.misses_total,
  };
}

/** A `minutes` row as a pool point; null rates for a minute without GET requests. */
export function toPoint(row: MinuteRow): PoolPoint {
  const rated = row.get_requests > 0;
  return {
    minuteMs: row.minute_ms,
    nodes: row.nodes,
    items: row.items,
    usedBytes: row.used_bytes,
    requests: row.requests,
    getRequests: row.get_requests,
    hits: row.hits,
    misses: row.misses,
    hitRate: rated ? row.hits / row.get_requests : null,
    missRate: rated ? row.misses / row.get_requests : null,
  };
}
