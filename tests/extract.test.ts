import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractText, kindFromPath } from '../src/corpus/extract.js';
import { inputKind } from '../src/corpus/inputs.js';

const html = (raw: string): string => extractText(raw, 'html');
const md = (raw: string): string => extractText(raw, 'markdown');

/** The words of a text, split on white space. */
const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '');

describe('inputKind', () => {
  // the rule as the regular expressions of its documentation say it
  const byRegex = (p: string, records: boolean) => {
    const gzip = /\.gz$/i.test(p);
    const name = gzip ? p.slice(0, -3) : p;
    const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
    const format = ext === undefined ? undefined : ({ jsonl: 'jsonl', ndjson: 'jsonl', json: 'json', csv: 'csv' } as Record<string, string>)[ext];
    if (format) return records ? { records: format, gzip } : { document: 'text', gzip };
    const document = kindFromPath(name);
    return document ? { document, gzip } : undefined;
  };

  it('gives each name the kind its extension and .gz say', () => {
    const part = fc.constantFrom('.', '/', '\\', 'a', 'md', 'JSONL', 'Gz', 'gz', 'csv', 'html', 'txt', 'json', 'x');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), fc.boolean(), (parts, records) => {
        const p = parts.join('');
        expect(inputKind(p, records)).toEqual(byRegex(p, records));
      }),
      { numRuns: 2000 },
    );
    expect(inputKind('d/a.JSONL.GZ', true)).toEqual({ records: 'jsonl', gzip: true });
    expect(inputKind('d.csv/notes', true)).toEqual({ document: 'text', gzip: false });
  });
});

describe('kindFromPath', () => {
  it.each([
    ['page.html', 'html'],
    ['page.htm', 'html'],
    ['page.xhtml', 'html'],
    ['PAGE.HTML', 'html'],
    ['Page.Htm', 'html'],
    ['notes.md', 'markdown'],
    ['notes.markdown', 'markdown'],
    ['notes.mdown', 'markdown'],
    ['notes.mkd', 'markdown'],
    ['NOTES.MD', 'markdown'],
    ['a.txt', 'text'],
    ['a.text', 'text'],
    ['A.TXT', 'text'],
    ['README', 'text'],
    ['dir/sub/LICENSE', 'text'],
    ['dir.v2/README', 'text'],
    ['C:\\docs.d\\README', 'text'],
    ['dir/notes.final.md', 'markdown'],
  ] as const)('%s -> %s', (path, kind) => {
    expect(kindFromPath(path)).toBe(kind);
  });

  it.each(['data.json', 'image.png', 'IMAGE.PNG', 'archive.html.gz', 'src/code.ts', '.DS_Store', '.gitignore'])('%s -> undefined', (path) => {
    expect(kindFromPath(path)).toBeUndefined();
  });
});

describe('extractText: text', () => {
  it('returns text unchanged', () => {
    const raw = '  Some <b>text</b>\n\n\n\twith   spacing &amp; # markup  \n';
    expect(extractText(raw, 'text')).toBe(raw);
    expect(extractText('', 'text')).toBe('');
  });
});

describe('extractText: html', () => {
  it('decodes entities', () => {
    expect(html('<p>Fish &amp; chips</p>')).toBe('Fish & chips');
    expect(html('<p>it&#8217;s &#x2014; &lt;ok&gt; &quot;q&quot;</p>')).toBe('it’s — <ok> "q"');
    expect(html('<p>a&nbsp;b</p>')).toBe('a b');
    expect(html('<p>AT&amp;T</p>')).toBe('AT&T');
  });

  it('keeps the title as the first line and drops the rest of the head', () => {
    const page =
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>My  Page\n Title</title>' +
      '<link rel="stylesheet" href="s.css"><style>body { color: red }</style>' +
      '<script>var tracking = 1;</script></head><body><p>Body text.</p></body></html>';
    expect(html(page)).toBe('My Page Title\n\nBody text.');
  });

  it('keeps only the first title, and none from svg', () => {
    expect(html('<title>First</title><p>x</p><svg><title>Icon</title></svg><title>Second</title>')).toBe('First\n\nx');
    expect(html('<svg><title>Icon</title><text>drawn</text></svg><p>body</p>')).toBe('body');
  });

  it('a title alone is the whole text', () => {
    expect(html('<html><head><title>Only</title></head><body></body></html>')).toBe('Only');
  });

  it('ends a head that is never closed when body content starts', () => {
    expect(html('<html><head><title>T</title><h1>Heading</h1><p>para')).toBe('T\n\nHeading\n\npara');
  });

  it('drops script, style, noscript, template, nav, header, footer, aside, form and friends', () => {
    const page =
      '<body><header><h1>Site name</h1></header>' +
      '<nav><a href="/">Home</a></nav>' +
      '<aside>Related links</aside>' +
      '<main><p>Main content.</p><script>alert("script")</script><style>.a{}</style>' +
      '<noscript>enable js</noscript><template><p>tmpl</p></template>' +
      '<form><label>Search</label><input name="q"><button>Go</button></form>' +
      '<select><option>opt</option></select><iframe>frame text</iframe>' +
      '<object>obj</object><canvas>canvas text</canvas><math><mi>x</mi></math>' +
      '<p>More content.</p></main><footer>Copyright</footer></body>';
    const out = html(page);
    expect(out).toBe('Main content.\n\nMore content.');
  });

  it('drops elements with landmark roles, aria-hidden="true" and the hidden attribute', () => {
    expect(html('<div role="navigation"><a>Home</a> <a>About</a></div><p>kept</p>')).toBe('kept');
    expect(html('<div role="banner">Banner</div><div role="contentinfo">Info</div><p>kept</p>')).toBe('kept');
    expect(html('<div ROLE="Navigation">Menu</div><p>kept</p>')).toBe('kept');
    expect(html('<p>a <span aria-hidden="true">icon</span>b</p>')).toBe('a b');
    expect(html('<p>a <span aria-hidden="false">shown</span> b</p>')).toBe('a shown b');
    expect(html('<p>a <span hidden>secret</span>b</p><div hidden="hidden"><p>gone</p></div>')).toBe('a b');
    expect(html('<div role="main">main text</div>')).toBe('main text');
  });

  it('removes a nav with nested lists entirely and keeps what follows', () => {
    const page = '<nav><ul><li><a href="/">Home</a><ul><li>Sub one<li>Sub two</ul></li><li>About</ul></nav><p>After nav.</p>';
    expect(html(page)).toBe('After nav.');
    // Unclosed <li> inside the nav, and text straight after </nav>.
    expect(html('<nav><ul><li>One<li>Two</ul></nav>Tail text')).toBe('Tail text');
  });

  it('void elements inside a skipped region do not break depth counting', () => {
    const page = '<nav>Menu<br><img src="a.png"><hr><input type="text"><meta name="x"><link rel="x">More menu</nav><p>Content</p>';
    expect(html(page)).toBe('Content');
    expect(html('<div hidden><br/><img/><p>x<br>y</p></div>visible')).toBe('visible');
    expect(html('<header><img src="logo.png"><br></header>Body')).toBe('Body');
  });

  it('self-closed void elements do not open scopes', () => {
    expect(html('<p>one<br/>two<img src="x"/>three</p><p>four</p>')).toBe('one\ntwothree\n\nfour');
  });

  it('separates adjacent block elements', () => {
    expect(html('<p>one</p><p>two</p>')).toBe('one\n\ntwo');
    expect(words(html('<div>alpha</div><div>beta</div><h1>gamma</h1><section>delta</section>'))).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(html('<h2>Heading</h2>Text')).toBe('Heading\n\nText');
    expect(html('<ul><li>a</li><li>b</li></ul>after')).toBe('a\nb\n\nafter');
    expect(html('<table><tr><th>h1</th><th>h2</th></tr><tr><td>a</td><td>b</td></tr></table>')).toBe('h1 h2\na b');
    expect(html('<dl><dt>term</dt><dd>definition</dd></dl>')).toBe('term\ndefinition');
    expect(html('<blockquote>quoted</blockquote><pre>code</pre><figure>fig<figcaption>cap</figcaption></figure>')).toBe('quoted\n\ncode\n\nfig\n\ncap');
  });

  it('br makes a line break, two make a blank line, hr a paragraph break', () => {
    expect(html('one<br>two')).toBe('one\ntwo');
    expect(html('one<br><br>two')).toBe('one\n\ntwo');
    expect(html('one<br><br><br><br>two')).toBe('one\n\ntwo');
    expect(html('one<hr>two')).toBe('one\n\ntwo');
    expect(html('a</br>b')).toBe('a\nb');
  });

  it('inline elements do not split words', () => {
    expect(html('<p><b>wo</b>rd</p>')).toBe('word');
    expect(html('<p>in<em>line</em> <strong>bold</strong> <a href="x">link</a> <code>co</code><span>de</span></p>')).toBe('inline bold link code');
    expect(html('<p><b>a</b> <i>b</i></p>')).toBe('a b');
  });

  it('an inline skipped element does not split words either', () => {
    expect(html('<p>foo<script>x()</script>bar</p>')).toBe('foobar');
  });

  it('collapses white space, keeps line structure in pre', () => {
    expect(html('<p>  lots   of \t\t space\nand\r\nlines  </p>')).toBe('lots of space and lines');
    expect(html('<pre>line 1\n  line 2\n\n\n\nline 3</pre>')).toBe('line 1\nline 2\n\nline 3');
    expect(html('<pre><span>a</span>\n<span>b</span></pre>')).toBe('a\nb');
  });

  it('handles unclosed <p> and <li> and stray close tags', () => {
    expect(html('<p>first<p>second<p>third')).toBe('first\n\nsecond\n\nthird');
    expect(html('<ul><li>one<li>two<li>three</ul>')).toBe('one\ntwo\nthree');
    expect(html('text</div> more</span> end</p>')).toBe('text more end');
    expect(html('<div>a</div></div></div><p>b</p>')).toBe('a\n\nb');
    expect(html('<div><p>a</div>b')).toBe('a\n\nb');
    // A stray close of a skip element must not end an enclosing skip scope.
    expect(html('<nav>menu</footer> still menu</nav>after')).toBe('after');
  });

  it('drops comments and the doctype, keeps CDATA text', () => {
    expect(html('<!DOCTYPE html><p>a<!-- hidden comment -->b</p>')).toBe('ab');
    expect(html('<p>a <!-- multi\nline <p>comment</p> --> b</p>')).toBe('a b');
    expect(html('<p>x<![CDATA[data]]>y</p>')).toBe('xdatay');
  });

  it('does not throw on malformed input', () => {
    const inputs = [
      '',
      '<<<>>>',
      '<div',
      '<div class="x',
      '<',
      '>',
      '</',
      '<!--',
      '<![CDATA[',
      '<script>never closed',
      '<p <p <p>>',
      '&#xFFFFFFFF; &#0; &bogus; &',
      '<a href=">">x</a>',
      '</html></body></p>',
      '\u0000\uFFFF\uD800',
    ];
    for (const input of inputs) {
      expect(() => html(input)).not.toThrow();
    }
    expect(html('')).toBe('');
    expect(html('<div')).toBe('');
    expect(html('<script>never closed')).toBe('');
    expect(html('<<<>>>')).toBe('<<<>>>');
    expect(html('<p>text<div class="cut')).toBe('text');
  });

  it('copes with deep nesting', () => {
    const depth = 20000;
    expect(html(`${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}`)).toBe('deep');
    expect(html(`<nav>${'<div>'.repeat(depth)}menu${'</div>'.repeat(depth)}</nav>after`)).toBe('after');
  });

  it('is linear enough for large documents', () => {
    const block = '<div><p>Hello &amp; <b>world</b> text</p><script>var a = 1;</script><ul><li>x<li>y</ul></div>\n';
    const out = html(block.repeat(20000));
    expect(out.split('\n\n').length).toBe(40000);
    expect(out.startsWith('Hello & world text\n\nx\ny\n\nHello & world text')).toBe(true);
  });
});

describe('extractText: markdown', () => {
  it('strips headings, emphasis and link URLs', () => {
    expect(md('# Title\n\nSome *emph* and [link](http://x.y) text.')).toBe('Title\n\nSome emph and link text.');
    expect(md('## Closed heading ##\n\n__strong__ and **bold** and _em_')).toBe('Closed heading\n\nstrong and bold and em');
    expect(md('Setext\n======\n\nSub\n---\n\ntext')).toBe('Setext\n\nSub\n\ntext');
  });

  it('lists, quotes and code blocks become separate blocks', () => {
    expect(md('- one\n- two\n  * nested\n\n1. first\n2. second')).toBe('one\n\ntwo\n\nnested\n\nfirst\n\nsecond');
    expect(md('> quoted *text*\n> > nested\n\nafter')).toBe('quoted text\n\nnested\n\nafter');
    expect(md('Before\n\n```js\nconst x = 1;\nconst y = 2;\n```\n\n    indented code\n\nAfter')).toBe(
      'Before\n\nconst x = 1;\nconst y = 2;\n\nindented code\n\nAfter',
    );
  });

  it('keeps inline code content, including markup characters inside it', () => {
    expect(md('Use `a * b` and `x|y`.')).toBe('Use a * b and x|y.');
  });

  it('drops images, link URLs, reference definitions and thematic breaks', () => {
    expect(md('Look ![alt text](pic.png "title") here.')).toBe('Look here.');
    expect(md('See [the docs][ref] and ![img][pic].\n\n[ref]: http://example.com "Title"\n[pic]: p.png')).toBe('See the docs and .');
    expect(md('one\n\n---\n\ntwo\n\n***\n\nthree')).toBe('one\n\ntwo\n\nthree');
    expect(md('<http://auto.link/x>')).toBe('http://auto.link/x');
  });

  it('hard breaks become line breaks, soft breaks stay line breaks', () => {
    expect(md('hard  \nbreak and\\\nbackslash')).toBe('hard\nbreak and\nbackslash');
    expect(md('soft\nbreak')).toBe('soft\nbreak');
  });

  it('drops YAML and TOML front matter', () => {
    expect(md('---\ntitle: Hello\ntags: [a, b]\n---\n\n# Heading\n\nBody')).toBe('Heading\n\nBody');
    expect(md('---\r\ntitle: x\r\n---\r\nBody')).toBe('Body');
    expect(md('---\n---\nBody')).toBe('Body');
    expect(md('+++\ntitle = "x"\n+++\nBody')).toBe('Body');
    // Only at the very start of the file.
    expect(md('Intro\n\n---\ntitle: not front matter\n---\n\nEnd')).toContain('title: not front matter');
  });

  it('strips inline and block html but keeps its text', () => {
    expect(md('Some <b>wo</b>rd and <span class="x">span</span> text.')).toBe('Some word and span text.');
    expect(md('line<br>next')).toBe('line\nnext');
    expect(md('a <!-- comment --> b')).toBe('a b');
    expect(md('<div align="center">\n  <p>Centered &amp; <em>html</em></p>\n</div>\n\nAfter')).toBe('Centered & html\n\nAfter');
    expect(md('<script>\nvar x = 1;\n</script>\n\nText')).toBe('Text');
  });

  it('turns pipe tables into rows of cells', () => {
    expect(md('| Name | *Value* |\n| --- | :---: |\n| a | 1 |\n| b | 2 |')).toBe('Name Value\na 1\nb 2');
    expect(md('x | y\n--|--\n1 | 2')).toBe('x y\n1 2');
    // A pipe in ordinary prose stays.
    expect(md('either a | b')).toBe('either a | b');
  });

  it('leaves no markup characters', () => {
    const doc = [
      '# Heading one',
      '',
      'Paragraph with *emphasis*, **strong**, _under_, and a [link](https://example.com/path_with_underscores).',
      '',
      '> Quote with `code`',
      '',
      '- item one',
      '- item two',
      '',
      '1. numbered',
      '',
      '| col a | col b |',
      '|-------|-------|',
      '| 1     | 2     |',
      '',
      '---',
      '',
      '![image](img.png)',
      '',
      '```',
      'plain code',
      '```',
    ].join('\n');
    const out = md(doc);
    for (const ch of ['#', '*', '_', '`', '>', '[', ']', '(', ')', '|', '---', 'https://']) {
      expect(out).not.toContain(ch);
    }
    expect(words(out)).toEqual([
      'Heading',
      'one',
      'Paragraph',
      'with',
      'emphasis,',
      'strong,',
      'under,',
      'and',
      'a',
      'link.',
      'Quote',
      'with',
      'code',
      'item',
      'one',
      'item',
      'two',
      'numbered',
      'col',
      'a',
      'col',
      'b',
      '1',
      '2',
      'plain',
      'code',
    ]);
  });

  it('keeps escaped markup characters that are part of the text', () => {
    expect(md('5 \\* 3 and \\# not a heading')).toBe('5 * 3 and # not a heading');
  });

  it('applies the whitespace cleanup', () => {
    expect(md('\n\n\n  para   one  \n\n\n\n\npara\ttwo\n\n\n')).toBe('para one\n\npara two');
  });

  it('does not throw on odd input', () => {
    const inputs = ['', '#', '```', '***', '[', '![', '<', '<div', '---', '---\n', '> '.repeat(500), '*'.repeat(300), '\u0000'];
    for (const input of inputs) {
      expect(() => md(input)).not.toThrow();
    }
    expect(md('')).toBe('');
    expect(md('---')).toBe('');
    expect(md('```\nunclosed fence')).toBe('unclosed fence');
  });

  it('copes with deep nesting', () => {
    expect(md(`${'>'.repeat(3000)} deep`)).toBe('deep');
  });
});
