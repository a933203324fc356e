// A valid HDF5 structure this reader does not follow (dense attribute storage,
// shared messages, 16-byte addresses): what it holds was not checked, so the
// file is reported unscanned in that part, never clean.
export class Hdf5Unsupported extends Error {
  override name = 'Hdf5Unsupported';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
