// Public surface of the engine for the app, the worker and the CLI.
export { scanSource, type ScanOptions } from './scan.js';
export { BlobByteSource, MemoryByteSource, CountingByteSource, MAX_READ_BYTES, type ByteSource } from './byte-source.js';
export { WeightlensWasm } from './wasm.js';
export { verdictFor, worstFinding, VERDICT_RANK, SEVERITY_RANK } from './verdict.js';
export { RULES, type RuleId } from './rules.js';
export { TOOL_NAME, TOOL_VERSION } from './version.js';
export * from './report.js';
export { NO_SIBLINGS, BlobSiblings, type Siblings } from './siblings.js';
export { readReport, parseReport, ReportReadError, ReportVersionError } from './report-reader.js';
export { toSarif } from './export/sarif.js';
export { toCycloneDx } from './export/cyclonedx.js';
export { toMarkdown } from './export/markdown.js';
export { applyExpectedHashes, PinError, type ExpectedHash } from './pinning/expected-hash.js';
export { resolveLfsPointers, pairLfsPointers, applyPins } from './pinning/lfs-pairing.js';
export { parseChecksums } from './pinning/checksums.js';
