// Feeds an ONNX file to the wasm walker window by window and builds the model
// from its events. Windows follow the walk: small after a skipped payload (the
// next field header is all that is needed), doubling while the structure runs
// on contiguously, so a 2 GB model of big weights costs a few hundred KB.
import type { ByteSource } from '../../byte-source.js';
import { LimitError, MalformedError, ReadError } from '../../errors.js';
import { OnnxWalkStatus, type WeightlensWasm } from '../../wasm.js';
import { ModelBuilder } from './build.js';
import { MAX_MESSAGE_DEPTH, MAX_STRING_BYTES, MAX_SUBGRAPH_DEPTH } from './limits.js';
import type { OnnxModel } from './model.js';
import { MESSAGE_NAMES, WIRE_NAMES } from './wire.js';

/** Window read after a skipped payload: the next tensor's header and name (a bias of a few KB is read through). */
const MIN_WINDOW = 16 * 1024;

/**
 * Walks the ModelProto in `source`. Throws MalformedError (with where the
 * damage is) or LimitError; `onModel` receives the partial model first, so
 * what was read before the error can still be reported.
 */
export async function walkModel(source: ByteSource, wasm: WeightlensWasm, onModel: (model: OnnxModel) => void): Promise<OnnxModel> {
  const builder = new ModelBuilder();
  onModel(builder.model);
  const size = source.size;
  const capacity = wasm.inputCapacity;
  const walker = wasm.onnxWalker(size, { maxMessageDepth: MAX_MESSAGE_DEPTH, maxSubgraphDepth: MAX_SUBGRAPH_DEPTH, maxString: Math.min(MAX_STRING_BYTES, capacity - 64) });
  let windowSize = MIN_WINDOW;
  let windowStart = 0;
  let window = await source.read(0, Math.min(size, windowSize, capacity));
  for (;;) {
    const status = walker.feed(windowStart, window);
    builder.consume(walker.drainEvents(), window, windowStart);
    if (status === OnnxWalkStatus.Done) break;
    if (status === OnnxWalkStatus.Paused) continue;
    if (status !== OnnxWalkStatus.NeedMore) throw walkError(status, walker.error(), builder, size);
    const position = walker.position();
    const windowEnd = windowStart + window.length;
    if (position === windowEnd) windowSize = Math.min(windowSize * 2, capacity); // the structure runs on
    else if (position > windowEnd) windowSize = MIN_WINDOW; // a payload was skipped
    const want = Math.min(Math.max(windowSize, walker.need()), capacity, size - position);
    const next = await source.read(position, want);
    if (next.length < Math.min(walker.need(), size - position) || (position === windowStart && next.length <= window.length)) {
      throw new ReadError(`${source.name} ended at byte ${position + next.length} while ${want} bytes at ${position} were read: did the file shrink?`);
    }
    windowStart = position;
    window = next;
  }
  return builder.model;
}

function walkError(status: OnnxWalkStatus, error: { offset: number; field: number; wire: number; messageType: number }, builder: ModelBuilder, size: number): Error {
  const where = { offset: error.offset };
  const message = MESSAGE_NAMES[error.messageType] ?? 'a message';
  const field = error.field > 0 ? `field ${error.field} of ${message}` : `a field of ${message}`;
  const wire = WIRE_NAMES[error.wire] ?? `wire type ${error.wire}`;
  const inside = `(in ${builder.openMessages()})`;
  switch (status) {
    case OnnxWalkStatus.Truncated:
      return error.field > 0
        ? new MalformedError(`${field} at offset ${error.offset} runs past the end of the file (${size} bytes): the protobuf is truncated ${inside}`, where)
        : new MalformedError(`the file ends at offset ${size} inside ${message}, which declares more bytes: the protobuf is truncated ${inside}`, where);
    case OnnxWalkStatus.PastParent:
      return new MalformedError(`${field} at offset ${error.offset} runs past the end of the message holding it ${inside}`, where);
    case OnnxWalkStatus.BadVarint:
      return new MalformedError(`a varint at offset ${error.offset} (${field}) is longer than 10 bytes or overflows 64 bits ${inside}`, where);
    case OnnxWalkStatus.BadWire:
      return new MalformedError(`${field} at offset ${error.offset} has ${wire}, which ONNX never uses ${inside}`, where);
    case OnnxWalkStatus.WrongWire:
      return new MalformedError(`${field} at offset ${error.offset} is written as ${wire}, which its type cannot be: protobuf loaders ignore it, so they read something else than its bytes say ${inside}`, where);
    case OnnxWalkStatus.BadTag:
      return new MalformedError(`a field tag at offset ${error.offset} has field number ${error.field}: not a protobuf field ${inside}`, where);
    case OnnxWalkStatus.BadPacked:
      return new MalformedError(`packed ${field} at offset ${error.offset} is not a whole number of elements ${inside}`, where);
    case OnnxWalkStatus.Depth:
      return new LimitError('MAX_MESSAGE_DEPTH', MAX_MESSAGE_DEPTH, `protobuf messages nest more than ${MAX_MESSAGE_DEPTH} deep at offset ${error.offset} (protobuf's own recursion limit): onnx.load refuses such a file too ${inside}`, where);
  }
  return new MalformedError(`the ONNX walker stopped with status ${status} at offset ${error.offset}`, where);
}
