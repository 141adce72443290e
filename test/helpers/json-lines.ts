/**
 * Reads a child's stdout as JSON log lines (pino writes one object a line). Used by the test
 * helpers that start cachepool processes and by the benchmarks' process helpers.
 */
import type { Readable } from 'node:stream';

/** One log line: the parsed JSON, or `{ raw }` for a line that is not JSON. */
export type LogLine = Record<string, unknown>;

/**
 * Calls `onLine` with every complete line of `stream` (read as UTF-8), in order; a partial last
 * line waits for its newline. Returns a function that stops listening (the stream is left as is).
 */
export function onJsonLines(stream: Readable, onLine: (line: LogLine) => void): () => void {
  let buffer = '';
  const onData = (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { raw: text };
      }
      onLine(line);
    }
  };
  stream.setEncoding('utf8').on('data', onData);
  return () => {
    stream.off('data', onData);
  };
}
