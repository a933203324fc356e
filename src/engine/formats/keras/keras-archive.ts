// Keras v3 archives (.keras): a zip whose config.json says what model to
// build and metadata.json which Keras wrote it. Both are read through the zip
// member machinery (bounded sizes, bounded inflate), never the weights; every
// member is still scanned by content like any zip (a pickle hidden in the
// archive is analysed).
import { readSpan } from '../../byte-source.js';
import { InflateBudget, InflatingByteSource } from '../../containers/inflate.js';
import type { ZipDirectory } from '../../containers/zip-directory.js';
import { openMember, readZipLayout, type ZipMember } from '../../containers/zip-members.js';
import { LimitError, MalformedError } from '../../errors.js';
import { JsonError, parseStrictJson } from '../../strict-json.js';
import type { AnalysisContext } from '../driver.js';
import { analyseConfigText, kerasContent } from './analyse-config.js';

/** config.json read whole; real ones are KBs to a few MB (large functional models). */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** metadata.json holds a version, a date and a backend name. */
export const MAX_METADATA_BYTES = 1024 * 1024;

export const CONFIG_MEMBER = 'config.json';
export const METADATA_MEMBER = 'metadata.json';

/** Reads and checks config.json and metadata.json; the archive's own scan is done by the caller. */
export async function analyseKerasArchive(ctx: AnalysisContext, dir: ZipDirectory): Promise<void> {
  const layout = await readZipLayout(ctx.source, dir);
  const budget = new InflateBudget();
  const facts: Record<string, unknown> = { container: 'keras-v3' };
  const metadataBytes = await memberBytes(ctx, layout.members, METADATA_MEMBER, MAX_METADATA_BYTES, 'MAX_METADATA_BYTES', budget);
  if (metadataBytes) Object.assign(facts, readMetadata(ctx, metadataBytes));
  const configBytes = await memberBytes(ctx, layout.members, CONFIG_MEMBER, MAX_CONFIG_BYTES, 'MAX_CONFIG_BYTES', budget);
  if (!configBytes) throw new MalformedError(`the archive has no readable ${CONFIG_MEMBER}: Keras cannot load it`, {}, 'keras.config-invalid');
  const model = analyseConfigText(ctx.wasm, { bytes: configBytes, what: CONFIG_MEMBER, locate: (offset) => ({ member: CONFIG_MEMBER, offset }) }, ctx.findings, true);
  const compile = model.value instanceof Map ? model.value.get('compile_config') : undefined;
  if (compile !== undefined && compile !== null) facts.compileConfig = true;
  ctx.content.keras = kerasContent(model, undefined, facts);
}

/** The member Python's zipfile opens for `name` (the last of duplicates), read whole within `limit`. */
async function memberBytes(ctx: AnalysisContext, members: ZipMember[], name: string, limit: number, limitName: string, budget: InflateBudget): Promise<Uint8Array | undefined> {
  const member = members.filter((m) => m.name === name).pop();
  if (!member || member.problem) return undefined;
  const size = member.entry.uncompressedSize;
  if (size > limit) throw new LimitError(limitName, size, `${name} is ${size} bytes, over the ${limit}-byte limit: not read`, { member: name });
  const source = openMember(ctx.source, member, budget, { member: name }, name);
  try {
    return await readSpan(source, 0, size);
  } finally {
    if (source instanceof InflatingByteSource) source.close();
  }
}

function readMetadata(ctx: AnalysisContext, bytes: Uint8Array): Record<string, unknown> {
  try {
    const value = parseStrictJson(ctx.wasm, bytes, { maxDepth: 16 });
    if (!(value instanceof Map)) throw new MalformedError(`${METADATA_MEMBER} is JSON but not an object`, { member: METADATA_MEMBER }, 'keras.config-invalid');
    const text = (key: string) => (typeof value.get(key) === 'string' ? (value.get(key) as string) : undefined);
    const out: Record<string, unknown> = {};
    if (text('keras_version') !== undefined) out.kerasVersion = text('keras_version');
    if (text('date_saved') !== undefined) out.dateSaved = text('date_saved');
    if (text('backend') !== undefined) out.backend = text('backend');
    return out;
  } catch (error) {
    if (error instanceof JsonError) throw new MalformedError(`${METADATA_MEMBER} is not valid JSON: ${error.message}`, { member: METADATA_MEMBER, offset: error.at }, 'keras.config-invalid');
    throw error;
  }
}
