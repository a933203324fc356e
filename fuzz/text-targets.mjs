// The fuzz targets that read text a user hands the app: share links
// (decodeReportLink) and report files (parseReport). Seeds are the reports of
// the corpus files; each input mutates one of three layers of them:
//   link   — the link text itself (`r1.` + base64url);
//   deflate — the deflated bytes inside a link (re-encoded as base64url, so the inflater and what follows see them);
//   json   — the report's JSON text, read as a dropped report file and, re-deflated, as a link.
// A failure is an exception other than the readers' own (ShareLinkError,
// ReportReadError), or a report accepted that docs/report.schema.json refuses
// in a part the reader vouches for: everything but `content`, and of
// `content` the keys the reader checks (lfsPointer, shareTrimmed). The rest of
// `content` is format-specific and read as untyped data by every consumer
// (docs/report.md), so the schema's shapes there are documentation, not a contract.
import { deflateRawSync } from 'node:zlib';
import { inputAt } from './mutate.mjs';

/** Whether a schema error's place is one the report reader checks (needs ajv's allErrors). */
function vouchedFor(instancePath) {
  if (!instancePath.startsWith('/content/')) return true;
  return instancePath.startsWith('/content/lfsPointer') || instancePath.startsWith('/content/shareTrimmed');
}

export const TEXT_LAYERS = ['link', 'deflate', 'json'];
const utf8 = new TextEncoder();
const toBase64Url = (bytes) => Buffer.from(bytes).toString('base64url');

/**
 * @param {{ reports: object[], decodeReportLink: Function, parseReport: Function, ShareLinkError: Function, ReportReadError: Function, validate: Function }} deps
 */
export function makeTextTargets({ reports, decodeReportLink, parseReport, encodeReportLink, ShareLinkError, ReportReadError, validate }) {
  const corpora = { link: [], deflate: [], json: [] };
  return {
    async learn() {
      for (const report of reports) {
        const name = report.file.path;
        const json = utf8.encode(JSON.stringify(report));
        const link = await encodeReportLink(report, 64 * 1024);
        corpora.json.push({ name, bytes: json });
        corpora.link.push({ name, bytes: utf8.encode(link) });
        corpora.deflate.push({ name, bytes: new Uint8Array(Buffer.from(link.slice(3), 'base64url')) });
      }
    },
    /** Input `index`: its layer, then the mutated bytes of that layer (inputAt over that layer's corpus). */
    inputAt(seed, index) {
      const layer = TEXT_LAYERS[index % TEXT_LAYERS.length];
      return { layer, ...inputAt(corpora[layer], seed, Math.floor(index / TEXT_LAYERS.length)) };
    },
    async check(input) {
      const reads = [];
      if (input.layer === 'link') reads.push(['link', () => decodeReportLink(`#${Buffer.from(input.bytes).toString('latin1')}`)]);
      if (input.layer === 'deflate') reads.push(['link', () => decodeReportLink(`#r1.${toBase64Url(input.bytes)}`)]);
      if (input.layer === 'json') {
        const text = Buffer.from(input.bytes).toString('utf8');
        reads.push(['report file', async () => parseReport(text)]);
        reads.push(['link', () => decodeReportLink(`#r1.${toBase64Url(deflateRawSync(input.bytes))}`)]);
      }
      let verdict = 'refused';
      for (const [what, read] of reads) {
        let report;
        try {
          report = await read();
        } catch (error) {
          if (error instanceof ShareLinkError || error instanceof ReportReadError) continue;
          return { failure: 'crash', detail: `the ${what} reader threw ${error?.stack ?? error}` };
        }
        const refused = validate(report) ? [] : (validate.errors ?? []).filter((e) => vouchedFor(e.instancePath));
        if (refused.length) return { failure: 'accepted-invalid', detail: `the ${what} reader accepted a report the schema refuses: ${JSON.stringify(refused).slice(0, 300)}` };
        verdict = 'accepted';
      }
      return { verdict };
    },
  };
}
