// Chat-template checks: environment-free, shared by the GGUF and tokenizer_config.json drivers.
export { analyseTemplate, type TemplateAnalysis, type TemplateIssue, type TemplateRule, type TemplateSeverity } from './checks.js';
