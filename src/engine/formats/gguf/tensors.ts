// Tensor checks: each tensor's size from its ggml type's block layout, then its
// place in the data section — aligned, inside the file, not overlapping another,
// no bytes between tensors that no tensor claims. One rule per failure.
import type { FindingList } from '../driver.js';
import type { RuleId } from '../../report.js';
import { RULES } from '../../rules.js';
import { GGML_TYPES, REMOVED_GGML_TYPES } from './ggml-types.js';
import type { TensorInfo } from './header.js';
import { quote } from './header.js';
import { MAX_FINDINGS_PER_RULE, MAX_LISTED_TENSORS } from './limits.js';

/** ggml's tensor names are GGML_MAX_NAME (64) bytes with the NUL: llama.cpp refuses longer ones. */
const MAX_TENSOR_NAME_BYTES = 63;

export interface TensorRow {
  name: string;
  /** The ggml type name, `unknown(N)` for an id ggml does not define. */
  dtype: string;
  /** GGUF order: ne[0] (the contiguous row) first, as every GGUF tool shows it. */
  shape: number[];
  parameters: number;
  /** null when the size cannot be known (unknown type, overflow, partial block). */
  bytes: number | null;
  /** Absolute file offset of the tensor's data (null past 2^53). */
  offset: number | null;
  quantised: boolean;
}

export interface TensorTotals {
  tensors: number;
  parameters: number;
  bytes: number;
}

export interface TensorSummary {
  rows: TensorRow[];
  totals: Record<string, TensorTotals>;
  parameters: number;
  bytes: number;
}

/** Adds findings with a per-rule cap, then one finding counting the rest. */
export class CappedFindings {
  private readonly counts = new Map<RuleId, number>();
  structural = false;

  constructor(private readonly findings: FindingList) {}

  add(rule: RuleId, message: string, location: Parameters<FindingList['add']>[2] = {}, evidence: Parameters<FindingList['add']>[3] = {}): void {
    const n = (this.counts.get(rule) ?? 0) + 1;
    this.counts.set(rule, n);
    // A high finding is a structural error: the file is malformed (loaders refuse it or disagree).
    if (RULES[rule].severity === 'high') this.structural = true;
    if (n <= MAX_FINDINGS_PER_RULE) this.findings.add(rule, message, location, evidence);
  }

  /** One finding per rule that went past the cap, with the count. */
  finish(): void {
    for (const [rule, n] of this.counts) {
      if (n > MAX_FINDINGS_PER_RULE) this.findings.add(rule, `${n - MAX_FINDINGS_PER_RULE} more findings of this rule not listed (${n} in all)`, {}, { count: n });
    }
  }
}

interface Placed {
  name: string;
  begin: number;
  end: number;
}

/**
 * Checks every tensor and returns the table. `dataOffset` is where the data section starts,
 * `alignment` the file's (valid) alignment, `fileSize` the file's size. Sizes are plain numbers:
 * anything past 2^53 is refused (gguf.overflow) or past the end of any real file.
 */
export function checkTensors(tensors: readonly TensorInfo[], dataOffset: number, alignment: number, fileSize: number, out: CappedFindings): TensorSummary {
  const rows: TensorRow[] = [];
  const totals: Record<string, TensorTotals> = {};
  let parameters = 0;
  let bytesTotal = 0;
  const placed: Placed[] = [];
  const seen = new Set<string>();

  for (const t of tensors) {
    const where = { offset: t.infoOffset, tensor: t.name };
    if (seen.has(t.name)) out.add('gguf.duplicate-tensor', `tensor name ${quote(t.name)} appears twice: llama.cpp refuses the file, other loaders keep one of the two`, where);
    seen.add(t.name);
    if (t.nameBytes > MAX_TENSOR_NAME_BYTES) {
      out.add('gguf.invalid-tensor', `tensor name ${quote(t.name)} is longer than ggml's ${MAX_TENSOR_NAME_BYTES} bytes (GGML_MAX_NAME): llama.cpp refuses the file`, where);
    }
    const type = GGML_TYPES.get(t.typeId);
    const dtype = type?.name ?? `unknown(${t.typeId})`;
    if (!type) {
      const removed = REMOVED_GGML_TYPES.get(t.typeId);
      out.add('gguf.unknown-type', `tensor ${quote(t.name)} has ggml type ${t.typeId}${removed ? ` (${removed}, removed from ggml)` : ''}, which ggml does not define: its size is unknown and its bytes unchecked`, where, { type: t.typeId });
    }

    // A product past 2^53 is inexact but still past it, so the test holds.
    let elements: number | undefined = 1;
    for (const d of t.dims) {
      elements = typeof d === 'bigint' ? Number.POSITIVE_INFINITY : elements * d;
      if (elements > Number.MAX_SAFE_INTEGER) {
        out.add('gguf.overflow', `tensor ${quote(t.name)} has dims [${t.dims.join(', ')}]: its element count is past 2^53, refused rather than rounded`, where);
        elements = undefined;
        break;
      }
    }
    let bytes: number | undefined;
    if (elements !== undefined && type) {
      const row = (t.dims[0] as number | undefined) ?? 1;
      if (row % type.blockSize !== 0) {
        out.add('gguf.partial-block', `tensor ${quote(t.name)} of type ${type.name} has rows of ${row} elements, not a whole number of ${type.blockSize}-element blocks: ggml cannot size it`, where, { blockSize: type.blockSize, row });
      } else {
        bytes = (elements / type.blockSize) * type.typeSize;
        if (bytes > Number.MAX_SAFE_INTEGER) {
          out.add('gguf.overflow', `tensor ${quote(t.name)} would take ${bytes} bytes, past 2^53: refused rather than rounded`, where);
          bytes = undefined;
        }
      }
    }

    // Offsets past 2^53 stay bigint: such a tensor is past the end of any file.
    const offset = typeof t.offset === 'bigint' ? undefined : t.offset;
    const absolute = offset === undefined ? undefined : dataOffset + offset;
    if (offset === undefined ? (t.offset as bigint) % BigInt(alignment) !== 0n : offset % alignment !== 0) {
      out.add('gguf.misaligned-offset', `tensor ${quote(t.name)} starts at data offset ${t.offset}, not a multiple of the alignment ${alignment}`, where, { alignment });
    }
    if (absolute === undefined || absolute > fileSize) {
      out.add('gguf.tensor-past-end', `tensor ${quote(t.name)} starts at file offset ${absolute ?? `${dataOffset} + ${t.offset}`}, past the end of the ${fileSize}-byte file`, where);
    } else if (bytes !== undefined) {
      if (absolute + bytes > fileSize) {
        out.add('gguf.tensor-past-end', `tensor ${quote(t.name)} (${bytes} bytes at file offset ${absolute}) runs past the end of the ${fileSize}-byte file`, where, { bytes, end: absolute + bytes });
      } else {
        placed.push({ name: t.name, begin: absolute, end: absolute + bytes });
      }
    }

    const count = elements ?? 0;
    if (rows.length < MAX_LISTED_TENSORS) {
      rows.push({ name: t.name, dtype, shape: t.dims.map((d) => (typeof d === 'bigint' ? -1 : d)), parameters: count, bytes: bytes ?? null, offset: absolute ?? null, quantised: type?.quantised ?? false });
    }
    const total = (totals[dtype] ??= { tensors: 0, parameters: 0, bytes: 0 });
    total.tensors++;
    total.parameters += count;
    total.bytes += bytes ?? 0;
    parameters += count;
    bytesTotal += bytes ?? 0;
  }

  // A tensor cut off by the end of the file already explains the bytes after the last whole one.
  checkPlacement(placed, dataOffset, alignment, fileSize, out, placed.length === tensors.length);
  return { rows, totals, parameters, bytes: bytesTotal };
}

const roundUp = (n: number, align: number) => Math.ceil(n / align) * align;

/** Overlaps, gaps (more than alignment padding) and bytes after the last tensor. */
function checkPlacement(placed: Placed[], dataStart: number, align: number, size: number, out: CappedFindings, allPlaced: boolean): void {
  placed.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let end = dataStart;
  let last: Placed | undefined;
  for (const t of placed) {
    if (last && t.begin < last.end) {
      out.add('gguf.tensor-overlap', `tensors ${quote(last.name)} (bytes ${last.begin}–${last.end}) and ${quote(t.name)} (bytes ${t.begin}–${t.end}) share bytes of the data section`, { offset: t.begin, tensor: t.name }, { other: last.name });
    } else if (t.begin > roundUp(end, align)) {
      out.add('gguf.data-gap', `${t.begin - end} bytes between ${last ? quote(last.name) : 'the data section start'} and ${quote(t.name)} belong to no tensor: room for hidden data (llama.cpp refuses such files)`, { offset: end, length: t.begin - end, tensor: t.name });
    }
    if (t.end > end) end = t.end;
    if (!last || t.end > last.end) last = t;
  }
  if (allPlaced && placed.length > 0 && size > roundUp(end, align)) {
    out.add('gguf.trailing-data', `${size - end} bytes after the last tensor's data (past its alignment padding) that no loader reads: room for hidden data`, { offset: end, length: size - end });
  }
}
