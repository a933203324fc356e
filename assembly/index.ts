// The one WebAssembly module: byte-level decoders, no policy. Exports are plain
// numbers; bytes cross through the input window (see io.ts).
import { INPUT, INPUT_CAPACITY } from "./io";

export { sha256Init, sha256Update, sha256Final } from "./hash/sha256";
export { pickleOpcodeCount } from "./pickle/opcodes";
export {
  pickleProbeBegin, pickleProbeFeed, pickleProbePosition, pickleProbeOpcodes,
  pickleProbeProtocol, pickleProbeItems, pickleProbeMarks, pickleProbeLastOpcode,
  pickleDisasmBegin, pickleDisasmLines, pickleDisasmPointer,
} from "./pickle/probe";

export {
  pickleMachineBegin, pickleMachineNext, pickleMachineNest, pickleMachineSeek, pickleMachineEnd,
  pickleMachineFeed, pickleMachinePosition, pickleMachineOpcodes, pickleMachineProtocol,
  pickleMachineLastOpcode, pickleMachineLimit, pickleMachineDepth, pickleMachineMemoSize,
  pickleMachineStackSize, pickleMachineMarks, pickleMachineRecords, pickleMachineCalleeOf,
  pickleMachineQuiet, pickleMachineCallCount,
  pickleEventCount, pickleEventsPointer, pickleEventsClear,
} from "./pickle/machine";
export { pickleDescribe, pickleDescribePointer, pickleDescribeRelease } from "./pickle/describe";

export function inputPointer(): usize { return INPUT; }
export function inputCapacity(): i32 { return INPUT_CAPACITY; }

// Strict JSON (safetensors headers, index and config files): see json/scanner.ts.
export {
  jsonScanBegin, jsonScanFeed, jsonScanResume, jsonScanReject, jsonScanEnd,
  jsonScanTapePointer, jsonScanTapeCount, jsonScanTapeClear, jsonScanErrorReason, jsonScanErrorAt,
  jsonScanKeyStart, jsonScanKeyEnd, jsonScanCandidateStart, jsonScanCandidateEnd,
} from "./json/scanner";

// ONNX: the protobuf walker (assembly/onnx/walker.ts).
export {
  onnxWalkBegin, onnxWalkFeed, onnxWalkPosition, onnxWalkNeed, onnxWalkDepth,
  onnxWalkErrorOffset, onnxWalkErrorField, onnxWalkErrorWire, onnxWalkErrorType,
  onnxEventCount, onnxEventsPointer, onnxEventsClear,
} from "./onnx/walker";
