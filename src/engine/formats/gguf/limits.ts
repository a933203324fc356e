// Named limits of the GGUF reader, each with what real files need and what it
// protects against. Hitting one is reported as `scan.limit-reached`.

/**
 * Header bytes read (metadata and tensor infos). The largest real headers, 256k-token
 * vocabularies with scores, types and merges, are 20–40 MB; bounds the time and reads of a hostile header.
 */
export const MAX_HEADER_BYTES = 256 * 1024 * 1024;
/** Metadata key/value pairs. Real files hold tens to a few hundred; each costs memory. */
export const MAX_METADATA_COUNT = 65_536;
/** Tensor infos. The largest mixture-of-experts files hold a few thousand per file; each costs memory. */
export const MAX_TENSOR_COUNT = 1_000_000;
/** Elements of one metadata array. Vocabularies are up to ~262k tokens, merges ~500k; bounds the walk. */
export const MAX_ARRAY_LENGTH = 16 * 1024 * 1024;
/** Arrays nested in arrays. The spec allows it, llama.cpp refuses it, real files never do it; bounds recursion. */
export const MAX_ARRAY_DEPTH = 4;
/** Bytes of one metadata string. tokenizer.huggingface.json, the biggest real one, is ~10 MB; longer ones are walked past unread. */
export const MAX_STRING_BYTES = 64 * 1024 * 1024;
/** Bytes of a key or tensor name: the spec's cap on keys (2^16 − 1); names are shorter still. */
export const MAX_KEY_BYTES = 65_535;
/** Dimensions of one tensor: ggml's GGML_MAX_DIMS; llama.cpp refuses more. */
export const MAX_DIMS = 4;
/** Bytes of a chat template analysed. Real templates are under 30 KB; bounds the analysis. */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

/** Strings kept in full for the report (other than chat templates); longer ones are cut. */
export const SHOWN_STRING_CHARS = 512;
/** Leading elements of an array shown in the report (tokenizer.ggml.tokens is summarised by count + these). */
export const SHOWN_ARRAY_ITEMS = 8;
/** Tensor rows listed in the report; totals cover all of them. */
export const MAX_LISTED_TENSORS = 100_000;
/** Findings of one rule listed before the rest are counted in one more. */
export const MAX_FINDINGS_PER_RULE = 20;
