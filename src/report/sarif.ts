/**
 * SARIF 2.1.0, as GitHub code scanning takes it: one rule, `neardup/near-duplicate`; one result
 * per group, located at its first member (in path order), the other members as relatedLocations
 * that the message links to (`[path](id)`); URIs relative to the repository root with uriBaseId
 * %SRCROOT%; a partialFingerprint that depends only on the members' paths and content, so it is
 * the same across runs, file orders and line moves. Inputs that failed to read are tool
 * execution notifications, and make executionSuccessful false.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { groupFingerprint, memberKey } from '../baseline/baseline.js';
import type { DocumentInfo, Group, Place, ScanResult, ScoredPair } from '../model/types.js';
import { VERSION } from '../model/version.js';
import { recordedSettings } from '../options/scan.js';
import type { ReportContext } from './context.js';
import { fmtScore, scoreRange } from './format.js';
import { jsonCounts } from './json.js';

export const SARIF_RULE_ID = 'neardup/near-duplicate';
export const SARIF_FINGERPRINT_KEY = 'neardupGroup/v1';
const SRCROOT = '%SRCROOT%';

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/** The repository-relative path of a document (posix separators), or undefined outside the root. */
export function repoRelative(docPath: string, ctx: Pick<ReportContext, 'cwd' | 'root'>): string | undefined {
  const rel = path.relative(ctx.root, path.resolve(ctx.cwd, docPath));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

function artifact(docPath: string, ctx: Pick<ReportContext, 'cwd' | 'root'>): ArtifactLocation {
  const rel = repoRelative(docPath, ctx);
  if (rel === undefined) return { uri: pathToFileURL(path.resolve(ctx.cwd, docPath)).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** SARIF message link text escapes `\`, `[` and `]`. */
function linkText(s: string): string {
  return s.replace(/[\\[\]]/g, (c) => `\\${c}`);
}

/** Where a document or problem is: its file (a record's source file) and the line (and, in a JSON array, the column) it starts on. */
function physical(place: Place, ctx: ReportContext) {
  const region = place.column === undefined ? { startLine: place.line ?? 1 } : { startLine: place.line ?? 1, startColumn: place.column };
  return { artifactLocation: artifact(place.source ?? place.path, ctx), region };
}

/** A problem's location: the file, and the line when it is about a record. */
function problemLocation(place: Place, ctx: ReportContext) {
  const { artifactLocation, region } = physical(place, ctx);
  return { physicalLocation: place.line === undefined ? { artifactLocation } : { artifactLocation, region } };
}

function pairBetween(g: Group, x: number, y: number): ScoredPair | undefined {
  const [a, b] = x < y ? [x, y] : [y, x];
  return g.pairs.find((p) => p.a === a && p.b === b);
}

function result(documents: readonly DocumentInfo[], g: Group, metric: 'jaccard' | 'containment', idField: string | null | undefined, ctx: ReportContext) {
  const [first, ...others] = g.members.map((m) => documents[m]!);
  const head = first!;
  const links = others.map((d, i) => `[${linkText(d.path)}](${i + 1})`);
  const range = scoreRange(g.pairs.map((p) => p[metric]));
  const text =
    `${head.path} and ${others.length === 1 ? 'another document are' : `${others.length} other documents are`} ` +
    `near-duplicates (${metric} ${range}): ${links.join(', ')}.`;
  // as the baseline names members: a record by its file (and id), not its line
  const key = (d: DocumentInfo) => memberKey(d, (p) => repoRelative(p, ctx) ?? p, idField);
  return {
    ruleId: SARIF_RULE_ID,
    ruleIndex: 0,
    level: 'warning' as const,
    message: { text },
    locations: [{ physicalLocation: physical(head, ctx) }],
    relatedLocations: others.map((d, i) => {
      const p = pairBetween(g, g.members[0]!, g.members[i + 1]!);
      const how = p
        ? `containment ${fmtScore(p.containment)}, jaccard ${fmtScore(p.jaccard)} with ${head.path}`
        : `in the same group as ${head.path}, through another member`;
      return { id: i + 1, physicalLocation: physical(d, ctx), message: { text: `Near-duplicate: ${how}.` } };
    }),
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: groupFingerprint([head, ...others].map(key)) },
    ...(ctx.baseline && !ctx.baseline.updated ? { baselineState: 'new' as const } : {}),
    properties: { group: g.id, size: g.members.length },
  };
}

export function buildSarif(res: ScanResult, ctx: ReportContext) {
  const notifications = [
    ...res.errors.map((e) => ({ level: 'error' as const, message: { text: `${e.path}: ${e.message}` }, locations: [problemLocation(e, ctx)] })),
    ...res.warnings.map((w) => ({ level: 'warning' as const, message: { text: `${w.path}: ${w.message}` }, locations: [problemLocation(w, ctx)] })),
  ];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'neardup',
            version: VERSION,
            semanticVersion: VERSION,
            rules: [
              {
                id: SARIF_RULE_ID,
                name: 'NearDuplicateDocument',
                shortDescription: { text: 'Near-duplicate documents' },
                fullDescription: {
                  text:
                    'Documents whose text is the same or nearly the same, whatever their formatting: their exact shingle similarity ' +
                    'is at or above the threshold. Keep one copy, or make the others differ.',
                },
                help: {
                  text: 'Run `neardup compare A B` to see the passages two documents share and those found in only one of them.',
                },
                defaultConfiguration: { level: 'warning' as const },
                properties: { tags: ['maintainability', 'duplicate-content'], precision: 'very-high', 'problem.severity': 'warning' },
              },
            ],
          },
        },
        invocations: [{ executionSuccessful: res.errors.length === 0, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }],
        columnKind: 'unicodeCodePoints' as const,
        results: res.groups.map((g) => result(res.documents, g, res.settings.metric, res.settings.idField, ctx)),
        properties: {
          settings: recordedSettings(res.settings),
          counts: jsonCounts(res.stats),
          ...(ctx.baseline ? { baseline: ctx.baseline } : {}),
        },
      },
    ],
  };
}

export function renderSarif(result: ScanResult, ctx: ReportContext): string {
  return `${JSON.stringify(buildSarif(result, ctx), null, 2)}\n`;
}
