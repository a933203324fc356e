// The one input window JavaScript copies bytes into before calling a decoder.
// A fixed static buffer keeps the boundary simple: no allocation crosses it.

/** Capacity of the input window; callers feed larger data in chunks. */
export const INPUT_CAPACITY: i32 = 1 << 20;

export const INPUT: usize = memory.data(INPUT_CAPACITY, 16);

/** Small output area for fixed-size results (a digest, probe fields). */
export const OUTPUT: usize = memory.data(256, 16);
