// Kept equal to package.json's version by a test (the engine cannot read files).
export const TOOL_NAME = 'weightlens';
export const TOOL_VERSION = '0.1.0';
