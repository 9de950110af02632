/**
 * Text extraction: turns the raw text of a file into the plain text that counts for similarity.
 *
 * - `text` is returned unchanged.
 * - `html` is parsed with htmlparser2; boilerplate and hidden elements (script, style, nav, header,
 *   footer, aside, forms, `hidden`, `aria-hidden="true"`, landmark roles, ...) are dropped, the page
 *   `<title>` is kept as the first line, and block elements separate their text.
 * - `markdown` is parsed with mdast-util-from-markdown; the text of the tree is kept (no markup,
 *   no link URLs, no image alt text), blocks are separated by blank lines, and a leading YAML/TOML
 *   front matter block is dropped.
 *
 * Output is built in string arrays and joined once, so extraction is linear in the input size.
 */

import { createRequire } from 'node:module';
import type { DocumentKind } from '../model/types.js';

// The parsers are loaded on first use (together ~70 ms, paid by every worker thread otherwise,
// and by scans that meet no HTML or Markdown file). mdast-util-from-markdown is an ES module,
// which require() loads since Node 20.19.
const requireHere = createRequire(import.meta.url);
let htmlParser: typeof import('htmlparser2').Parser | undefined;
let markdownParser: typeof import('mdast-util-from-markdown').fromMarkdown | undefined;
const Parser = (): typeof import('htmlparser2').Parser => (htmlParser ??= (requireHere('htmlparser2') as typeof import('htmlparser2')).Parser);
const fromMarkdown = (): typeof import('mdast-util-from-markdown').fromMarkdown =>
  (markdownParser ??= (requireHere('mdast-util-from-markdown') as typeof import('mdast-util-from-markdown')).fromMarkdown);

const KIND_BY_EXTENSION: ReadonlyMap<string, DocumentKind> = new Map<string, DocumentKind>([
  ['html', 'html'],
  ['htm', 'html'],
  ['xhtml', 'html'],
  ['md', 'markdown'],
  ['markdown', 'markdown'],
  ['mdown', 'markdown'],
  ['mkd', 'markdown'],
  ['txt', 'text'],
  ['text', 'text'],
]);

/**
 * The document kind of a path, by its extension (case-insensitive): .html .htm .xhtml -> html;
 * .md .markdown .mdown .mkd -> markdown; .txt .text and no extension -> text; anything else ->
 * undefined (not a document type read in a folder walk). Both `/` and `\` separate directories.
 * A dot file's name counts as its extension (`.DS_Store`, `.gitignore` -> undefined), unlike
 * `path.extname`: such files are configuration or metadata, not documents.
 */
export function kindFromPath(path: string): DocumentKind | undefined {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  if (dot < 0) return 'text';
  const ext = base.slice(dot + 1).toLowerCase();
  if (ext === '') return 'text'; // a trailing dot: `name.`
  return KIND_BY_EXTENSION.get(ext);
}

/** Returns the extracted text. Never throws on any input string (malformed HTML/markdown included). */
export function extractText(raw: string, kind: DocumentKind): string {
  if (kind === 'text') return raw;
  try {
    return kind === 'html' ? htmlToText(raw) : markdownToText(raw);
  } catch {
    // The parsers are tolerant and should not throw; this is a last resort (e.g. a stack overflow
    // on absurd nesting), keeping the words rather than failing the whole run.
    return cleanup(raw);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared output buffer

/** Whitespace cleanup: spaces/tabs collapsed, lines trimmed, at most one blank line, trimmed. */
function cleanup(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const NON_SPACE = /\S/;

/**
 * Collects text chunks with pending separators. Separators requested between chunks are merged
 * (the strongest wins; line breaks add up to a blank line) and written only when the next
 * non-blank chunk arrives, so nothing leads or trails and adjacent blocks never glue together.
 */
class TextSink {
  private readonly parts: string[] = [];
  private hasContent = false;
  /** Pending newlines, 0..2. */
  private newlines = 0;
  /** Pending space (table cells). */
  private space = false;

  /** A block boundary: 1 = line break, 2 = blank line. */
  block(level: 1 | 2): void {
    if (level > this.newlines) this.newlines = level;
  }

  /** An explicit line break (`<br>`, markdown hard break); two in a row make a blank line. */
  lineBreak(): void {
    if (this.newlines < 2) this.newlines++;
  }

  /** A table-cell boundary: at least a space. */
  cell(): void {
    this.space = true;
  }

  text(chunk: string): void {
    if (chunk === '') return;
    if (!NON_SPACE.test(chunk)) {
      // Blank text only matters between two inline pieces (`<b>a</b> <i>b</i>`).
      if (this.hasContent && this.newlines === 0 && !this.space) this.parts.push(chunk);
      return;
    }
    if (this.hasContent) {
      if (this.newlines > 0) this.parts.push(this.newlines === 1 ? '\n' : '\n\n');
      else if (this.space) this.parts.push(' ');
    }
    this.newlines = 0;
    this.space = false;
    this.parts.push(chunk);
    this.hasContent = true;
  }

  toString(): string {
    return cleanup(this.parts.join(''));
  }
}

// ---------------------------------------------------------------------------------------------
// HTML

/** Elements whose whole content is dropped. (`head` is handled separately: its title is kept.) */
const SKIP_ELEMENTS: ReadonlySet<string> = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'nav',
  'aside',
  'header',
  'footer',
  'form',
  'button',
  'select',
  'iframe',
  'object',
  'canvas',
]);

/** ARIA landmark roles whose content is site chrome, not the document. */
const SKIP_ROLES: ReadonlySet<string> = new Set(['navigation', 'banner', 'contentinfo']);

/** htmlparser2's void elements: they never open a scope (it reports their close at once). */
const VOID_ELEMENTS: ReadonlySet<string> = new Set([
  'area',
  'base',
  'basefont',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'isindex',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

/** Elements that may appear in `<head>`; any other element (or text) implicitly ends the head. */
const HEAD_CONTENT: ReadonlySet<string> = new Set(['head', 'title', 'meta', 'link', 'base', 'basefont', 'bgsound', 'style', 'script', 'noscript', 'template']);

const enum Sep {
  Space = 0,
  Line = 1,
  Paragraph = 2,
}

/** Block-level elements and the separator they put around their content. */
const BLOCK_SEPARATOR: ReadonlyMap<string, Sep> = new Map<string, Sep>([
  ...[
    'html',
    'body',
    'head',
    'p',
    'div',
    'section',
    'article',
    'main',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hgroup',
    'ul',
    'ol',
    'menu',
    'dl',
    'table',
    'caption',
    'blockquote',
    'pre',
    'figure',
    'figcaption',
    'address',
    'details',
    'summary',
    'fieldset',
    'legend',
    'center',
    'dialog',
    'nav',
    'aside',
    'header',
    'footer',
    'form',
    'noscript',
    'iframe',
    'object',
    'canvas',
  ].map((name): [string, Sep] => [name, Sep.Paragraph]),
  ...['li', 'dd', 'dt', 'tr', 'thead', 'tbody', 'tfoot', 'option', 'optgroup'].map((name): [string, Sep] => [name, Sep.Line]),
  ['td', Sep.Space],
  ['th', Sep.Space],
]);

const enum Scope {
  /** Content counts (unless an outer scope says otherwise). */
  Normal = 0,
  /** Content dropped. */
  Skip = 1,
  /** `<head>`: content dropped, except the title. */
  Head = 2,
  /** The first `<title>`: content goes to the title line. */
  Title = 3,
}

interface OpenElement {
  readonly name: string;
  scope: Scope;
}

function isHiddenElement(name: string, attribs: Readonly<Record<string, string>>): boolean {
  if (SKIP_ELEMENTS.has(name)) return true;
  if (attribs.hidden !== undefined) return true;
  const ariaHidden = attribs['aria-hidden'];
  if (ariaHidden !== undefined && ariaHidden.trim().toLowerCase() === 'true') return true;
  const role = attribs.role;
  if (role !== undefined) {
    for (const token of role.toLowerCase().split(/\s+/)) {
      if (SKIP_ROLES.has(token)) return true;
    }
  }
  return false;
}

function htmlToText(raw: string): string {
  const body = new TextSink();
  const titleParts: string[] = [];
  let titleSeen = false;

  // Our own stack of open elements. htmlparser2 balances open/close events itself (implied
  // closes for `<p>`, `<li>`, ...; stray close tags ignored; everything closed at the end), so
  // a close event always matches the top, except for a tag cut off at the end of the input,
  // whose close arrives without an open: such closes are ignored.
  const stack: OpenElement[] = [];
  let skipDepth = 0;
  let headDepth = 0;
  let titleDepth = 0;
  let preDepth = 0;

  /** Content outside the head elements ends the head (as browsers do when `</head>` is missing). */
  const endHead = (): void => {
    for (const element of stack) {
      if (element.scope === Scope.Head) {
        element.scope = Scope.Normal;
        headDepth--;
      }
    }
  };

  const separate = (name: string): void => {
    const sep = BLOCK_SEPARATOR.get(name);
    if (sep === undefined) return;
    if (sep === Sep.Space) body.cell();
    else body.block(sep);
  };

  const parser = new (Parser())(
    {
      onopentag(name, attribs) {
        if (skipDepth === 0 && headDepth > 0 && !HEAD_CONTENT.has(name)) endHead();
        if (VOID_ELEMENTS.has(name)) {
          if (skipDepth === 0 && headDepth === 0) {
            if (name === 'br') body.lineBreak();
            else if (name === 'hr') body.block(2);
          }
          return;
        }
        let scope = Scope.Normal;
        if (skipDepth === 0) {
          if (isHiddenElement(name, attribs)) scope = Scope.Skip;
          else if (name === 'head') scope = Scope.Head;
          else if (name === 'title') {
            scope = titleSeen ? Scope.Skip : Scope.Title;
            titleSeen = true;
          }
          if (headDepth === 0 && scope !== Scope.Title) separate(name);
        }
        stack.push({ name, scope });
        if (scope === Scope.Skip) skipDepth++;
        else if (scope === Scope.Head) headDepth++;
        else if (scope === Scope.Title) titleDepth++;
        if (name === 'pre') preDepth++;
      },

      onclosetag(name) {
        if (VOID_ELEMENTS.has(name)) return;
        const top = stack[stack.length - 1];
        if (top === undefined || top.name !== name) return;
        stack.pop();
        if (top.scope === Scope.Skip) skipDepth--;
        else if (top.scope === Scope.Head) headDepth--;
        else if (top.scope === Scope.Title) titleDepth--;
        if (name === 'pre') preDepth--;
        if (skipDepth === 0 && headDepth === 0 && top.scope !== Scope.Title) separate(name);
      },

      ontext(data) {
        if (skipDepth > 0) return;
        if (titleDepth > 0) {
          titleParts.push(data);
          return;
        }
        if (headDepth > 0) {
          if (!NON_SPACE.test(data)) return;
          endHead();
        }
        // Outside <pre>, a line break in the source is just white space.
        body.text(preDepth > 0 ? data : data.replace(/\s+/g, ' '));
      },
    },
    { decodeEntities: true, recognizeCDATA: true },
  );
  parser.write(raw);
  parser.end();

  const title = titleParts.join('').replace(/\s+/g, ' ').trim();
  const text = body.toString();
  if (title === '') return text;
  return text === '' ? title : `${title}\n\n${text}`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** The part of an mdast node the walk needs. */
interface MdNode {
  readonly type: string;
  readonly value?: string;
  readonly children?: readonly MdNode[];
  readonly position?:
    | {
        readonly start: { readonly offset?: number | undefined };
        readonly end: { readonly offset?: number | undefined };
      }
    | undefined;
}

/** A leading YAML (`---` ... `---` or `...`) or TOML (`+++` ... `+++`) front matter block. */
const FRONT_MATTER = /^\uFEFF?(?:---[ \t]*\r?\n(?:[\s\S]*?\r?\n)?(?:---|\.\.\.)|\+\+\+[ \t]*\r?\n(?:[\s\S]*?\r?\n)?\+\+\+)[ \t]*(?:\r?\n|$)/;

/** A GFM table delimiter row (`| --- | :-: |`), which CommonMark leaves inside a paragraph. */
const TABLE_DELIMITER_ROW = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

/**
 * Whether a paragraph is a GFM pipe table (header row with a pipe, then a delimiter row with a
 * pipe). Without the GFM extension the parser keeps such a table as a plain paragraph.
 */
function isPipeTable(source: string, node: MdNode): boolean {
  const start = node.position?.start.offset;
  if (start === undefined) return false;
  const firstEnd = source.indexOf('\n', start);
  if (firstEnd < 0) return false;
  const endOffset = node.position?.end.offset ?? source.length;
  if (firstEnd >= endOffset) return false;
  let secondEnd = source.indexOf('\n', firstEnd + 1);
  if (secondEnd < 0 || secondEnd > endOffset) secondEnd = endOffset;
  const first = source.slice(start, firstEnd);
  // Drop the container prefix (blockquote markers, list indentation) of the second line.
  const second = source
    .slice(firstEnd + 1, secondEnd)
    .replace(/\r$/, '')
    .replace(/^[ \t>]*/, '');
  return first.includes('|') && second.includes('|') && TABLE_DELIMITER_ROW.test(second);
}

/** Text of a pipe-table paragraph: delimiter rows dropped, cell pipes become spaces. */
function tableText(value: string): string {
  if (!value.includes('|') && !value.includes('-')) return value;
  const lines = value.split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (line.includes('-') && line.includes('|') && TABLE_DELIMITER_ROW.test(line)) continue;
    kept.push(line.replace(/\|/g, ' '));
  }
  return kept.join('\n');
}

/** Block containers: their content is separated from what surrounds it by a blank line. */
const MD_BLOCKS: ReadonlySet<string> = new Set(['blockquote', 'list', 'listItem', 'table', 'footnoteDefinition']);

/** Nodes dropped with everything inside. */
const MD_DROPPED: ReadonlySet<string> = new Set(['image', 'imageReference', 'definition', 'yaml', 'toml']);

interface MdFrame {
  readonly node: MdNode;
  /** Inside inline content (paragraph, heading, table cell). */
  readonly inline: boolean;
  /** Inside a pipe-table paragraph. */
  readonly table: boolean;
}

function markdownToText(raw: string): string {
  const source = raw.replace(FRONT_MATTER, '');
  const root: MdNode = fromMarkdown()(source);
  const sink = new TextSink();

  const separate = (sep: Sep): void => {
    if (sep === Sep.Space) sink.cell();
    else sink.block(sep);
  };

  // Iterative walk (deeply nested quotes or lists must not overflow the call stack). A number on
  // the work stack is the separator to emit after a node's children.
  const work: Array<MdFrame | Sep> = [{ node: root, inline: false, table: false }];
  const pushChildren = (node: MdNode, inline: boolean, table: boolean): void => {
    const children = node.children;
    if (children === undefined) return;
    for (let i = children.length - 1; i >= 0; i--) {
      work.push({ node: children[i]!, inline, table });
    }
  };

  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === 'number') {
      separate(item);
      continue;
    }
    const { node, inline, table } = item;
    switch (node.type) {
      case 'text':
        sink.text(table ? tableText(node.value ?? '') : (node.value ?? ''));
        break;
      case 'inlineCode':
        sink.text(node.value ?? '');
        break;
      case 'code':
        sink.block(2);
        sink.text(node.value ?? '');
        sink.block(2);
        break;
      case 'break':
        sink.lineBreak();
        break;
      case 'thematicBreak':
        sink.block(2);
        break;
      case 'html': {
        const html = node.value ?? '';
        if (inline) {
          // Inline HTML comes one tag per node (`<b>`, `</b>`): tags vanish, words stay joined.
          if (/^<br[\s/>]/i.test(html)) sink.lineBreak();
          else sink.text(htmlToText(html));
        } else {
          sink.block(2);
          sink.text(htmlToText(html));
          sink.block(2);
        }
        break;
      }
      case 'paragraph':
      case 'heading':
        sink.block(2);
        work.push(Sep.Paragraph);
        pushChildren(node, true, node.type === 'paragraph' && isPipeTable(source, node));
        break;
      case 'tableRow':
        sink.block(1);
        work.push(Sep.Line);
        pushChildren(node, false, false);
        break;
      case 'tableCell':
        sink.cell();
        work.push(Sep.Space);
        pushChildren(node, true, false);
        break;
      default:
        if (MD_DROPPED.has(node.type)) break;
        if (MD_BLOCKS.has(node.type)) {
          sink.block(2);
          work.push(Sep.Paragraph);
          pushChildren(node, false, false);
        } else {
          // root, emphasis, strong, delete, link, linkReference, and anything unknown.
          pushChildren(node, inline, table);
        }
    }
  }
  return sink.toString();
}
