// HDF5 (Keras .h5 among others): the signature sits at offset 0 or, after a
// user block, at 512, 1024, 2048, … (powers of two).
import { startsWith } from '../bytes.js';
import type { FormatDriver } from './driver.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export const hdf5: FormatDriver = {
  id: 'hdf5',
  async sniff(ctx) {
    const { source } = ctx;
    for (let offset = 0; offset + SIGNATURE.length <= source.size; offset = offset === 0 ? 512 : offset * 2) {
      if (startsWith(await source.read(offset, SIGNATURE.length), SIGNATURE)) {
        return { label: offset === 0 ? 'HDF5' : `HDF5 (after a ${offset}-byte user block)`, details: { signatureOffset: offset } };
      }
    }
    return null;
  },
};
