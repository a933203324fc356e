// A raw pickle stream (told apart by sniff/pickle-look.ts), and joblib files:
// pickles too, with raw array bytes between opcodes. Either may have a zip
// archive appended (polyglot.ts).
import { ascii, indexOfBytes } from '../bytes.js';
import { analysePickleStream } from '../pickle/analyse-stream.js';
import type { SniffContext } from '../sniff/context.js';
import { lookAtPickleBytes, type PickleLook } from '../sniff/pickle-look.js';
import type { FormatDriver, SniffMatch } from './driver.js';
import { withAppendedArchive } from './polyglot.js';

/** joblib's array wrapper class, named in every joblib pickle that holds numpy arrays. */
const JOBLIB_MARKER = ascii('joblib.numpy_pickle');

/** Walks the opcodes in the sniff window; undefined when the bytes are not a pickle. */
export async function lookAtPickle(ctx: SniffContext): Promise<PickleLook | undefined> {
  return lookAtPickleBytes(ctx.wasm, await ctx.head(), ctx.source.size);
}

export const joblib: FormatDriver = {
  id: 'joblib',
  async sniff(ctx): Promise<SniffMatch | null> {
    const look = await lookAtPickle(ctx);
    if (!look || indexOfBytes(await ctx.head(), JOBLIB_MARKER) < 0) return null;
    return { label: `joblib pickle (protocol ${look.protocol})`, details: { ...look } };
  },
  async analyse(ctx) {
    return withAppendedArchive(ctx, async (source) => {
      const result = await analysePickleStream(ctx, { source, layout: 'joblib' });
      return result.complete ? 'complete' : 'unsupported';
    });
  },
};

export const pickle: FormatDriver = {
  id: 'pickle',
  async sniff(ctx): Promise<SniffMatch | null> {
    const look = await lookAtPickle(ctx);
    if (!look) return null;
    return { label: `pickle (protocol ${look.protocol})`, details: { ...look } };
  },
  async analyse(ctx) {
    return withAppendedArchive(ctx, async (source) => {
      const result = await analysePickleStream(ctx, { source });
      return result.complete ? 'complete' : 'unsupported';
    });
  },
};
