// Zip archives, told apart by their member list: TorchScript, PyTorch
// checkpoints, numpy .npz, Keras v3, and any other zip.
import type { ZipDirectory, ZipEntry } from '../containers/zip-directory.js';
import { LimitError, MalformedError } from '../errors.js';
import type { SniffContext } from '../sniff/context.js';
import type { FormatDriver, SniffMatch } from './driver.js';

/** Member names shown in the sniff details; the rest are counted. */
const MEMBERS_LISTED = 50;

async function directory(ctx: SniffContext): Promise<ZipDirectory | undefined> {
  const look = await ctx.zip();
  return look.kind === 'zip' ? look.directory : undefined;
}

/** PyTorch writes every member under one folder named after the file (`archive/` and the like). */
function underAnyRoot(entries: ZipEntry[], path: string): ZipEntry | undefined {
  return entries.find((e) => e.name === path || (e.name.endsWith(`/${path}`) && e.name.split('/').length === 2));
}

function zipDetails(dir: ZipDirectory): Record<string, unknown> {
  return {
    members: dir.entries.length,
    names: dir.entries.slice(0, MEMBERS_LISTED).map((e) => e.name),
    prefixBytes: dir.prefixBytes,
    zip64: dir.zip64,
  };
}

export const torchscript: FormatDriver = {
  id: 'torchscript',
  async sniff(ctx) {
    const dir = await directory(ctx);
    if (!dir) return null;
    const hasCode = dir.entries.some((e) => /^([^/]+\/)?code\//.test(e.name));
    const hasConstants = underAnyRoot(dir.entries, 'constants.pkl');
    if (!underAnyRoot(dir.entries, 'data.pkl') || !(hasCode || hasConstants)) return null;
    return { label: 'TorchScript archive', details: zipDetails(dir) };
  },
};

export const pytorchZip: FormatDriver = {
  id: 'pytorch-zip',
  async sniff(ctx) {
    const dir = await directory(ctx);
    if (!dir || !underAnyRoot(dir.entries, 'data.pkl')) return null;
    return { label: 'PyTorch checkpoint (zip)', details: zipDetails(dir) };
  },
};

export const npz: FormatDriver = {
  id: 'npz',
  async sniff(ctx) {
    const dir = await directory(ctx);
    if (!dir || dir.entries.length === 0 || !dir.entries.every((e) => e.name.endsWith('.npy'))) return null;
    const compressed = dir.entries.some((e) => e.method !== 0);
    return { label: compressed ? 'numpy .npz (compressed)' : 'numpy .npz', details: zipDetails(dir) };
  },
};

export const keras: FormatDriver = {
  id: 'keras',
  async sniff(ctx) {
    const dir = await directory(ctx);
    if (!dir) return null;
    const names = new Set(dir.entries.map((e) => e.name));
    if (!names.has('config.json') || !(names.has('model.weights.h5') || names.has('metadata.json'))) return null;
    return { label: 'Keras v3 archive', details: zipDetails(dir) };
  },
};

/** Any other zip, including one whose directory is damaged. */
export const zip: FormatDriver = {
  id: 'zip',
  async sniff(ctx): Promise<SniffMatch | null> {
    const look = await ctx.zip();
    if (look.kind === 'none') return null;
    if (look.kind === 'broken') return { label: 'zip archive (damaged)', details: { error: look.error.message } };
    return { label: 'zip archive', details: zipDetails(look.directory) };
  },
  async analyse(ctx) {
    const look = await ctx.sniffContext.zip();
    if (look.kind === 'broken') {
      throw look.error instanceof MalformedError || look.error instanceof LimitError ? look.error : new MalformedError(look.error.message);
    }
    // The directory is sound, but what the members hold is not checked here.
    ctx.findings.add('format.not-analysed', 'zip archive of unrecognised members: the members were listed, not checked');
    return 'unsupported';
  },
};
