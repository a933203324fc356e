// GGUF (llama.cpp and everything built on it): magic "GGUF", a version (1–3),
// metadata key/values, tensor infos, then the tensor data at an aligned offset.
// Only the header is read, however large the file. The tensor table is checked
// against ggml's block layouts; chat templates in the metadata are analysed,
// since runtimes render them with Jinja.
import { startsWith, view } from '../../bytes.js';
import type { FormatDriver } from '../driver.js';
import { checkTemplates } from './templates.js';
import { describeModel } from './describe.js';
import { GGUF_MAGIC, SUPPORTED_VERSIONS, readHeader, type GgufHeader } from './header.js';
import { MAX_LISTED_TENSORS } from './limits.js';
import { checkMetadata, summariseMetadata } from './metadata.js';
import { CappedFindings, checkTensors } from './tensors.js';

export const gguf: FormatDriver = {
  id: 'gguf',
  async sniff(ctx) {
    const head = await ctx.head();
    if (head.length < 8 || !startsWith(head, GGUF_MAGIC)) return null;
    const little = view(head).getUint32(4, true);
    const big = view(head).getUint32(4, false);
    if (SUPPORTED_VERSIONS.includes(little)) return { label: `GGUF v${little}`, details: { version: little, byteOrder: 'little' } };
    if (SUPPORTED_VERSIONS.includes(big)) return { label: `GGUF v${big} (big-endian)`, details: { version: big, byteOrder: 'big' } };
    return { label: 'GGUF (unknown version)', details: { version: little, byteOrder: 'unknown' } };
  },

  async analyse({ source, findings, content }) {
    const out = new CappedFindings(findings);
    const partial: Partial<GgufHeader> = {};
    try {
      const header = await readHeader(source, partial);
      const alignment = checkMetadata(header.metadata, header.issues.badBool, out);
      const dataOffset = Math.ceil(header.infoEnd / alignment) * alignment;
      Object.assign(content, { alignment, dataOffset });
      Object.assign(content, describeModel(header.metadata));
      content.chatTemplates = checkTemplates(header.metadata, findings);
      const summary = checkTensors(header.tensors, dataOffset, alignment, source.size, out);
      Object.assign(content, {
        tensors: summary.rows,
        tensorsTotal: header.tensors.length,
        totals: summary.totals,
        parameters: summary.parameters,
        bytes: summary.bytes,
      });
      if (header.tensors.length > MAX_LISTED_TENSORS) content.tensorsListed = MAX_LISTED_TENSORS;
    } finally {
      // What was read before an error stays in the report.
      Object.assign(content, headerFacts(partial));
      if (partial.metadata && !content.chatTemplates) content.chatTemplates = checkTemplates(partial.metadata, findings);
      out.finish();
    }
    return out.structural ? 'failed' : 'complete';
  },
};

function headerFacts(h: Partial<GgufHeader>): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  if (h.version !== undefined) facts.version = h.version;
  if (h.littleEndian !== undefined) facts.byteOrder = h.littleEndian ? 'little' : 'big';
  if (h.tensorCount !== undefined) facts.tensorCount = h.tensorCount;
  if (h.metadataCount !== undefined) facts.metadataCount = h.metadataCount;
  if (h.infoEnd !== undefined) facts.headerBytes = h.infoEnd;
  if (h.metadata) facts.metadata = summariseMetadata(h.metadata);
  return facts;
}
