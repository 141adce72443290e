/**
 * Calls `onLine` with every complete line of `stream` (read as UTF-8), in order; a partial last
 * line waits for its newline. Returns a function that stops listening (the stream is left as is).
 */
export function onJsonLines(stream, onLine) {
    let buffer = '';
    const onData = (chunk) => {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf('\n')) !== -1) {
            const text = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            let line;
            try {
                line = JSON.parse(text);
            }
            catch {
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
//# sourceMappingURL=json-lines.js.map