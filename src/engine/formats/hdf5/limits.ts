// Every limit of the HDF5 root-attribute reader, with the reason for its value.
// Each one that stops the reading is reported as scan.limit-reached.

/** Messages walked in the root group's object header, over all its chunks; libhdf5 writes a dozen or so for a Keras file (v1 headers count theirs in a u16). Bounds the walk. */
export const MAX_HEADER_MESSAGES = 4096;
/** Continuation chunks followed from the root object header; libhdf5 adds one per overflow, a handful at most. Bounds hops (a loop is caught as well). */
export const MAX_CONTINUATIONS = 64;
/** Bytes of one object header chunk read at once; messages are at most 64 KiB each and a root group holds few. */
export const MAX_HEADER_CHUNK_BYTES = 1024 * 1024;
/** Bytes of one attribute value decoded (a fixed-length string lives in its message, at most 64 KiB; a variable-length one in the global heap). Keras configs of large models are a few MB. */
export const MAX_ATTRIBUTE_BYTES = 16 * 1024 * 1024;
/** Bytes of one global heap collection read to reach a variable-length string; the collection must hold the string, so a little more than MAX_ATTRIBUTE_BYTES. */
export const MAX_HEAP_COLLECTION_BYTES = MAX_ATTRIBUTE_BYTES + 64 * 1024;
/** Global heap bytes read over all collections of one file: each attribute can name another collection, so one file could otherwise cost MAX_HEAP_COLLECTION_BYTES per attribute (and hold them all in memory). */
export const MAX_HEAP_TOTAL_BYTES = 64 * 1024 * 1024;
/** Elements of one attribute decoded as strings (an array of layer names); more are counted, not decoded. */
export const MAX_ATTRIBUTE_ELEMENTS = 1024;
/** Dimensions of an attribute's dataspace; HDF5 itself allows 32. */
export const MAX_RANK = 32;
/** Levels of a version 2 B-tree (dense attribute storage); a tree of a million attributes is 3 deep. Bounds recursion. */
export const MAX_BTREE_DEPTH = 16;
/** Bytes of one B-tree node read at once; libhdf5 writes 512-byte nodes for attribute indexes. */
export const MAX_BTREE_NODE_BYTES = 1024 * 1024;
/** Records (attributes, huge objects) walked in one B-tree; bounds work like MAX_HEADER_MESSAGES does for compact storage. */
export const MAX_BTREE_RECORDS = 4096;
