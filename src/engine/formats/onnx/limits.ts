// Every limit of the ONNX analysis, with the reason for its value. Each one
// that stops or cuts the analysis is reported as scan.limit-reached.

/** Protobuf's own default recursion limit, which onnx.load inherits: deeper files are refused by loaders too. Bounds the walker's stack. */
export const MAX_MESSAGE_DEPTH = 100;
/** If/Loop/Scan bodies nest a few levels in real models; a graph deeper than this is skipped by length, and reported. */
export const MAX_SUBGRAPH_DEPTH = 16;
/** Bytes of one string kept (names, doc strings, metadata values); real names are far shorter, longer text is cut. */
export const MAX_STRING_BYTES = 64 * 1024;
/** Nodes kept over every graph and function; the largest real exports hold a few 10^5. Each costs memory. */
export const MAX_NODES = 1_000_000;
/** Tensors, value infos, attributes, opsets, metadata entries and functions kept over the whole model; bounds memory like MAX_NODES. */
export const MAX_GRAPH_ENTRIES = 2_000_000;
/** Dimensions kept per tensor or shape; real tensors have at most 8 or so. Past it the tensor's size is not checked. */
export const MAX_RANK = 64;
/** Distinct external data files opened beside the model (one file per tensor is a common layout). */
export const MAX_EXTERNAL_FILES = 4096;

// Report budgets: what is listed, not what is checked (everything is counted).
/** Nodes listed in `content.graph.layout` for the graph viewer: the large transformer exports it must open whole have up to ~10^5 nodes (about 8 MB of JSON). */
export const MAX_LISTED_NODES = 100_000;
/** Rows of the tensor table. */
export const MAX_LISTED_TENSORS = 100_000;
/** Entries of the other lists (subgraphs, functions, opsets, metadata, op counts, domains). */
export const MAX_LISTED_ENTRIES = 10_000;
/** Findings of one rule; past it they are counted in a last finding of that rule. */
export const MAX_FINDINGS_PER_RULE = 20;
/** Characters of a doc string or metadata value shown in the report. */
export const MAX_TEXT_SHOWN = 2000;
/** Unknown fields listed (all are counted). */
export const MAX_UNKNOWN_LISTED = 20;
