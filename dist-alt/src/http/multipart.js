/**
 * The one reader of multipart/form-data legacy bodies, used by the node's body parser and by the
 * gateway to find the key it routes by: every part (field or file) is read as bytes and turned
 * into text by the rule of legacy-body.ts (UTF-8 only; a part's own charset is not honoured).
 * Part names are compared exactly (`KEY` is not `key`); a repeated name keeps its first part.
 * Limits: parts, non-file fields and files are counted (more: 400); the whole body is already
 * bounded by the body limit.
 */
import { Busboy } from '@fastify/busboy';
import { errors } from '../errors.js';
import { bytesText, emptyFields } from './legacy-body.js';
const TOO_MANY = 'too many multipart parts (the limits are --max-fields and --max-parts)';
/**
 * The fields of a whole multipart body sent with `contentType` (which carries the boundary).
 * Rejects with a RequestError (400) for a body that is not multipart as announced (no boundary,
 * cut inside a part, bad part headers) or over a count limit.
 */
export function readMultipart(contentType, body, limits) {
    return new Promise((resolve, reject) => {
        const fields = emptyFields();
        let settled = false;
        const fail = (error) => {
            if (settled)
                return;
            settled = true;
            reject(error);
        };
        let parser;
        try {
            parser = new Busboy({
                headers: { 'content-type': contentType },
                // Every part as bytes, so that the text rule is ours, not the part's charset.
                isPartAFile: () => true,
                limits: { parts: limits.maxParts, fileSize: body.length + 1 },
            });
        }
        catch (error) {
            fail(errors.malformedBody(error instanceof Error ? error.message : 'unreadable multipart'));
            return;
        }
        let fieldCount = 0;
        let fileCount = 0;
        // Parts still being read, and whether the parser finished: the fields are complete when both
        // say so (a part's 'end' may come after the parser's 'finish').
        let reading = 0;
        let finished = false;
        const done = () => {
            if (settled || !finished || reading > 0)
                return;
            settled = true;
            resolve(fields);
        };
        parser.on('file', (name, stream, filename) => {
            if (filename === undefined ? ++fieldCount > limits.maxFields : ++fileCount > limits.maxFiles)
                fail(errors.malformedBody(TOO_MANY));
            const chunks = [];
            reading++;
            stream.on('data', (chunk) => chunks.push(chunk));
            stream.on('error', (error) => fail(errors.malformedBody(error.message)));
            stream.on('end', () => {
                if (!Object.hasOwn(fields, name))
                    fields[name] = bytesText(Buffer.concat(chunks));
                reading--;
                done();
            });
        });
        parser.on('partsLimit', () => fail(errors.malformedBody(TOO_MANY)));
        parser.on('error', (error) => fail(errors.malformedBody(error.message)));
        parser.on('finish', () => {
            finished = true;
            done();
        });
        parser.end(body);
    });
}
//# sourceMappingURL=multipart.js.map