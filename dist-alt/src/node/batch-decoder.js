import { errors } from '../errors.js';
import { BATCH_FLAG_EXPIRES, BATCH_FLAG_JSON_TEXT } from './batch.js';
import { checkedFrameEntry, FRAME_VALUE_OFFSET, frameBuffer, framedEntry, ownedRawEntry, } from './entry.js';
/** A whole decoded batch: what the import route's body parser gives the route. */
export class DecodedBatch {
    records;
    constructor(records) {
        this.records = records;
    }
}
/** What a body cut in each step lacks. */
const CUT = {
    [0 /* Step.Flags */]: 'batch record cut in its flags',
    [1 /* Step.Expires */]: 'batch record cut in its deadline',
    [2 /* Step.KeyLength */]: 'batch record cut in its key length',
    [3 /* Step.Key */]: 'batch record key runs past the body',
    [4 /* Step.TypeLength */]: 'batch record cut in its type length',
    [5 /* Step.Type */]: 'batch record type runs past the body',
    [6 /* Step.ValueLength */]: 'batch record cut in its value length',
    [7 /* Step.Value */]: 'batch record value runs past the body',
};
const EMPTY = Buffer.alloc(0);
/** The incremental decoder: `push` every chunk in order, then `end`. Throws RequestErrors. */
export class BatchDecoder {
    #options;
    #first;
    #records = [];
    #step;
    /** Bytes of the current (non-value) field. */
    #need;
    /** A field split over chunks, gathered here. */
    #part;
    #partAt = 0;
    /** Bytes pushed before the current chunk. */
    #received = 0;
    #flags = 0;
    #expiresAtMs = 0;
    #key = '';
    #type = '';
    #target;
    #targetAt = 0;
    #valueLeft = 0;
    constructor(options) {
        this.#options = options;
        this.#first = options.version === 2 ? 0 /* Step.Flags */ : 2 /* Step.KeyLength */;
        this.#step = this.#first;
        this.#need = this.#first === 0 /* Step.Flags */ ? 1 : 4;
    }
    /** Decodes the next chunk of the body. */
    push(chunk) {
        const end = chunk.length;
        let at = 0;
        while (at < end) {
            if (this.#step === 7 /* Step.Value */) {
                const n = Math.min(this.#valueLeft, end - at);
                if (this.#target)
                    chunk.copy(this.#target, this.#targetAt, at, at + n);
                this.#targetAt += n;
                this.#valueLeft -= n;
                at += n;
                if (this.#valueLeft === 0)
                    this.#endRecord();
                continue;
            }
            const need = this.#need;
            let field;
            if (this.#partAt === 0 && end - at >= need) {
                field = chunk.subarray(at, at + need);
                at += need;
            }
            else {
                this.#part ??= Buffer.allocUnsafe(need);
                const n = Math.min(need - this.#partAt, end - at);
                chunk.copy(this.#part, this.#partAt, at, at + n);
                this.#partAt += n;
                at += n;
                if (this.#partAt < need)
                    break;
                field = this.#part;
                this.#part = undefined;
                this.#partAt = 0;
            }
            this.#field(field, this.#received + at);
        }
        this.#received += end;
    }
    /** The records, once the whole body was pushed; a body cut inside a record is malformed. */
    end() {
        if (this.#step !== this.#first || this.#partAt > 0)
            throw errors.malformedBody(CUT[this.#step]);
        return this.#records;
    }
    /** Handles a complete field read at body offset `position`. */
    #field(field, position) {
        switch (this.#step) {
            case 0 /* Step.Flags */:
                this.#flags = field[0];
                if ((this.#flags & ~(BATCH_FLAG_JSON_TEXT | BATCH_FLAG_EXPIRES)) !== 0)
                    throw errors.malformedBody(`batch record has unknown flags ${this.#flags}`);
                this.#expiresAtMs = 0;
                if ((this.#flags & BATCH_FLAG_EXPIRES) !== 0)
                    this.#next(1 /* Step.Expires */, 8, position);
                else
                    this.#next(2 /* Step.KeyLength */, 4, position);
                return;
            case 1 /* Step.Expires */: {
                const deadline = field.readBigUInt64BE(0);
                if (deadline === 0n || deadline > BigInt(Number.MAX_SAFE_INTEGER))
                    throw errors.malformedBody(`batch record has a deadline out of range (${deadline})`);
                this.#expiresAtMs = Number(deadline);
                this.#next(2 /* Step.KeyLength */, 4, position);
                return;
            }
            case 2 /* Step.KeyLength */:
                this.#next(3 /* Step.Key */, this.#length(field, position, 3 /* Step.Key */), position);
                return;
            case 3 /* Step.Key */:
                this.#key = field.toString('utf8');
                this.#next(4 /* Step.TypeLength */, 4, position);
                return;
            case 4 /* Step.TypeLength */:
                this.#next(5 /* Step.Type */, this.#length(field, position, 5 /* Step.Type */), position);
                return;
            case 5 /* Step.Type */:
                this.#type = field.toString('utf8');
                this.#next(6 /* Step.ValueLength */, 4, position);
                return;
            case 6 /* Step.ValueLength */:
                this.#startValue(this.#length(field, position, 7 /* Step.Value */));
                return;
            default:
                return;
        }
    }
    /** Moves to `step`; a field of no bytes is handled at once. */
    #next(step, need, position) {
        this.#step = step;
        this.#need = need;
        if (need === 0)
            this.#field(EMPTY, position);
    }
    /** A field's length, checked against what the body can still hold. */
    #length(field, position, of) {
        const length = field.readUInt32BE(0);
        if (length > this.#options.limitBytes - position) {
            if (this.#options.lengthKnown)
                throw errors.malformedBody(CUT[of]);
            throw errors.bodyTooLarge(this.#options.limitBytes);
        }
        return length;
    }
    #startValue(length) {
        this.#step = 7 /* Step.Value */;
        this.#valueLeft = length;
        if (length > this.#options.maxValueBytes) {
            this.#target = undefined;
            this.#targetAt = 0;
        }
        else if (this.#options.version === 2 && (this.#flags & BATCH_FLAG_JSON_TEXT) === 0) {
            this.#target = Buffer.allocUnsafe(length);
            this.#targetAt = 0;
        }
        else {
            this.#target = frameBuffer(length);
            this.#targetAt = FRAME_VALUE_OFFSET;
        }
        if (length === 0)
            this.#endRecord();
    }
    #endRecord() {
        const target = this.#target;
        let entry;
        if (target === undefined)
            entry = undefined;
        else if (this.#options.version === 1)
            entry = checkedFrameEntry(target, this.#type);
        else if ((this.#flags & BATCH_FLAG_JSON_TEXT) !== 0)
            entry = framedEntry(target, this.#type);
        else
            entry = ownedRawEntry(target, this.#type);
        this.#records.push({ key: this.#key, entry, expiresAtMs: this.#expiresAtMs });
        this.#expiresAtMs = 0;
        this.#target = undefined;
        this.#step = this.#first;
        this.#need = this.#first === 0 /* Step.Flags */ ? 1 : 4;
    }
}
/** Reads and decodes a whole batch body from `payload` as it streams in. */
export function readBatch(payload, options) {
    const { bodyLimitBytes } = options;
    // Anything but a whole number of bytes is no declared length: the body limit bounds it then.
    const declared = options.contentLength;
    const contentLength = declared !== undefined && Number.isSafeInteger(declared) && declared >= 0
        ? declared
        : undefined;
    return new Promise((resolve, reject) => {
        if (contentLength !== undefined && contentLength > bodyLimitBytes) {
            reject(errors.bodyTooLarge(bodyLimitBytes));
            return;
        }
        const lengthKnown = contentLength !== undefined;
        const decoder = new BatchDecoder({
            version: options.version,
            maxValueBytes: options.maxValueBytes,
            limitBytes: contentLength ?? bodyLimitBytes,
            lengthKnown,
        });
        let received = 0;
        const stop = (error) => {
            payload.off('data', onData);
            payload.off('end', onEnd);
            payload.off('error', onError);
            reject(error);
        };
        const onData = (chunk) => {
            const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            received += bytes.length;
            if (received > bodyLimitBytes)
                return stop(errors.bodyTooLarge(bodyLimitBytes));
            try {
                decoder.push(bytes);
            }
            catch (error) {
                stop(error);
            }
        };
        const onEnd = () => {
            payload.off('data', onData);
            payload.off('error', onError);
            if (contentLength !== undefined && received !== contentLength) {
                reject(errors.malformedBody(`the body has ${received} bytes, its Content-Length says ${contentLength}`));
                return;
            }
            try {
                resolve(new DecodedBatch(decoder.end()));
            }
            catch (error) {
                reject(error);
            }
        };
        const onError = (error) => stop(errors.malformedBody(`the body could not be read (${error.message})`));
        payload.on('data', onData);
        payload.on('end', onEnd);
        payload.on('error', onError);
        payload.resume();
    });
}
//# sourceMappingURL=batch-decoder.js.map