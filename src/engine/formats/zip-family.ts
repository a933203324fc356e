// Zip archives, told apart by their member list: TorchScript, PyTorch
// checkpoints, numpy .npz, Keras v3, and any other zip. Told apart by names;
// analysed by content (archive-scan.ts), so a renamed member hides nothing.
import type { ZipDirectory, ZipEntry } from '../containers/zip-directory.js';
import { LimitError, MalformedError } from '../errors.js';
import { recordFailure, worseStatus } from '../failure.js';
import type { SniffContext } from '../sniff/context.js';
import type { AnalysisStatus } from '../verdict.js';
import { ArchiveScan, scanZipArchive, type ArchiveRoles } from './archive-scan.js';
import type { AnalysisContext, FormatDriver, SniffMatch } from './driver.js';
import { liftCheckpointTensors } from './checkpoint-tensors.js';
import { analyseKerasArchive } from './keras/keras-archive.js';

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

/** The directory of a zip the sniffer already read; a damaged one stops the analysis as malformed. */
async function soundDirectory(ctx: AnalysisContext): Promise<ZipDirectory> {
  const look = await ctx.sniffContext.zip();
  if (look.kind === 'zip') return look.directory;
  if (look.kind === 'broken') throw look.error instanceof MalformedError || look.error instanceof LimitError ? look.error : new MalformedError(look.error.message);
  throw new MalformedError('not a zip archive');
}

/** Scans every member; the content lists them whatever happens. */
async function scanArchive(ctx: AnalysisContext, dir: ZipDirectory, roles: ArchiveRoles = {}): Promise<{ status: AnalysisStatus; scan: ArchiveScan }> {
  const scan = new ArchiveScan(ctx);
  try {
    return { status: await scanZipArchive(scan, ctx.source, dir, { roles }), scan };
  } finally {
    scan.publish();
  }
}

/**
 * PyTorch's reader takes the archive's folder from its first member and looks
 * every record up under it (`archive/data.pkl`, `archive/data/0`); members
 * elsewhere are never read by PyTorch, but are still scanned. When the first
 * member's folder holds no data.pkl, PyTorch cannot load the file: that is
 * recorded, and the folder that does hold one is scanned as the checkpoint.
 */
function pytorchRoot(ctx: AnalysisContext, dir: ZipDirectory): { root: string; status: AnalysisStatus } {
  const first = dir.entries[0]?.name ?? '';
  const slash = first.indexOf('/');
  const root = slash > 0 ? first.slice(0, slash) : '';
  ctx.content.archiveRoot = root;
  if (dir.entries.some((e) => e.name === `${root}/data.pkl`)) return { root, status: 'complete' };
  const found = underAnyRoot(dir.entries, 'data.pkl')?.name ?? 'data.pkl';
  ctx.findings.add('format.malformed', `PyTorch takes the archive folder from the first member (${JSON.stringify(first)}) and finds no ${root}/data.pkl there: it cannot load this file (${found} was scanned as the checkpoint)`, { member: first });
  return { root: found.includes('/') ? found.slice(0, found.lastIndexOf('/')) : '', status: 'failed' };
}

/** The member names of a checkpoint's folder; `root` is '' for members at the top level. */
function under(root: string, name: string): string {
  return root ? `${root}/${name}` : name;
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
  async analyse(ctx) {
    const dir = await soundDirectory(ctx);
    const { root, status } = pytorchRoot(ctx, dir);
    // torch.jit.load unpickles data.pkl and constants.pkl; code/ is TorchScript source it compiles, never unpickles.
    const pickles = new Set([under(root, 'data.pkl'), under(root, 'constants.pkl')].filter((n) => dir.entries.some((e) => e.name === n)));
    const scanned = await scanArchive(ctx, dir, { pickles, storagePrefix: under(root, 'data/'), codePrefix: under(root, 'code/') });
    return worseStatus(status, scanned.status);
  },
};

export const pytorchZip: FormatDriver = {
  id: 'pytorch-zip',
  async sniff(ctx) {
    const dir = await directory(ctx);
    if (!dir || !underAnyRoot(dir.entries, 'data.pkl')) return null;
    return { label: 'PyTorch checkpoint (zip)', details: zipDetails(dir) };
  },
  async analyse(ctx) {
    const dir = await soundDirectory(ctx);
    const { root, status } = pytorchRoot(ctx, dir);
    const scanned = await scanArchive(ctx, dir, { pickles: new Set([under(root, 'data.pkl')]), storagePrefix: under(root, 'data/') });
    liftCheckpointTensors(ctx.content, ctx.findings, under(root, 'data.pkl'), ctx.content.storages as Record<string, number> | undefined ?? {});
    return worseStatus(status, scanned.status);
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
  async analyse(ctx) {
    // numpy.load reads each .npy member as numpy does a file; an object array's pickle is analysed.
    return (await scanArchive(ctx, await soundDirectory(ctx))).status;
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
  async analyse(ctx) {
    const dir = await soundDirectory(ctx);
    // Every member by content first (a pickle in a .keras is analysed), then the model config.
    const { status } = await scanArchive(ctx, dir);
    try {
      await analyseKerasArchive(ctx, dir);
      return status;
    } catch (error) {
      return worseStatus(status, recordFailure(error, ctx.findings));
    }
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
    const { status, scan } = await scanArchive(ctx, await soundDirectory(ctx));
    if (scan.recognised > 0 || status !== 'complete') return status;
    // Nothing in it is a pickle, a numpy array or an archive: the other members were listed, not checked.
    ctx.findings.add('format.not-analysed', `zip archive of ${scan.memberCount} members, none of them a pickle, numpy array or archive: the members were listed, not checked`);
    return worseStatus(status, 'unsupported');
  },
};
