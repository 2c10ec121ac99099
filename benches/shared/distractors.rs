//! Real Dutch pages from Debian packages, mixed into the relevance corpus as distractors: text that
//! shares everyday Dutch words with the demo content but is never the answer to a query.
//!
//! The pages are the Dutch LibreOffice help (HTML), the Dutch GNOME desktop help (Mallard XML) and
//! the Dutch manual pages (roff, gzip-compressed; decompressed by running `gzip -dc`, which every
//! Debian system has). Which files belong to a package comes from dpkg's file lists, so pages that
//! other packages put in the same folders do not change the corpus.
//!
//! Included with `#[path]` from a benchmark and from an integration test; uses only `std`.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::process::Command;

/// The Debian packages the distractors come from (`apt-get install -y` these).
pub const PACKAGES: &[&str] = &["libreoffice-help-nl", "gnome-user-docs", "manpages-nl"];

/// Pages with fewer words of body are navigation stubs, not documents.
const MIN_BODY_WORDS: usize = 40;

/// Where dpkg keeps the list of files of every installed package.
const DPKG_INFO: &str = "/var/lib/dpkg/info";

/// Marks where a block of extracted markup ends (a control character no page contains).
const BLOCK_BREAK: char = '\u{1e}';

/// Elements of HTML that never hold content, so they never open a skipped region.
const VOID_ELEMENTS: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];

/// Elements that sit inside a line of text (HTML and Mallard): they do not start a new block.
const INLINE_ELEMENTS: &[&str] = &[
    "a", "abbr", "app", "b", "cite", "cmd", "code", "em", "file", "gui", "guiseq", "hi", "i", "input", "kbd", "key",
    "keyseq", "link", "output", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "sys", "u", "var",
];

/// Inline elements that Mallard writes next to each other without spaces
/// (`<guiseq><gui>Bestand</gui><gui>Opslaan</gui></guiseq>`): each starts a new word.
const WORD_ELEMENTS: &[&str] = &["gui", "key"];

/// One Dutch page of the distractor corpus.
pub struct Distractor {
    /// The file it came from.
    #[allow(dead_code)] // for reports and debugging; not every includer reads it
    pub source: String,
    pub title: String,
    pub body: String,
}

/// Every Dutch page of the packages found on this machine, in a stable order (sorted by path),
/// empty when none is installed. Pages with under [`MIN_BODY_WORDS`] words of body and repeats
/// of a page already taken (same title and body) are left out; files that cannot be read or
/// parsed are skipped.
pub fn load() -> Vec<Distractor> {
    let mut files: Vec<(String, Format)> = PACKAGES
        .iter()
        .flat_map(|package| installed_files(package))
        .filter_map(|path| Format::of(&path).map(|format| (path, format)))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    let mut seen = HashSet::new();
    read_in_parallel(&files).into_iter().flatten().filter(|page| seen.insert(fingerprint(page))).collect()
}

/// How a page is written, known from where the file lives.
#[derive(Clone, Copy)]
enum Format {
    /// LibreOffice help, as Debian ships it: one HTML file per page.
    Html,
    /// GNOME help: Mallard XML.
    Mallard,
    /// A manual page in roff (man or mdoc macros), gzip-compressed.
    Man,
}

impl Format {
    fn of(path: &str) -> Option<Format> {
        if path.starts_with("/usr/share/libreoffice/help/nl/text/") && path.ends_with(".html") {
            Some(Format::Html)
        } else if path.starts_with("/usr/share/help/nl/") && path.ends_with(".page") {
            Some(Format::Mallard)
        } else if path.starts_with("/usr/share/man/nl/") && path.ends_with(".gz") {
            Some(Format::Man)
        } else {
            None
        }
    }
}

/// The files dpkg lists for an installed package (none when it is not installed).
fn installed_files(package: &str) -> Vec<String> {
    let plain = Path::new(DPKG_INFO).join(format!("{package}.list"));
    let list = std::fs::read_to_string(plain).ok().or_else(|| {
        // Multi-arch packages are listed as `<package>:<arch>.list`.
        let prefix = format!("{package}:");
        std::fs::read_dir(DPKG_INFO).ok()?.flatten().find_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            if name.starts_with(&prefix) && name.ends_with(".list") {
                std::fs::read_to_string(entry.path()).ok()
            } else {
                None
            }
        })
    });
    list.map(|text| text.lines().map(str::to_owned).collect()).unwrap_or_default()
}

/// Reads and parses the files on every core, keeping their order.
fn read_in_parallel(files: &[(String, Format)]) -> Vec<Option<Distractor>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(|(path, format)| read_page(path, *format)).collect::<Vec<_>>())
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().unwrap_or_default()).collect::<Vec<_>>()
    })
}

fn read_page(path: &str, format: Format) -> Option<Distractor> {
    // Symbolic links are other names of a page that is read under its own name.
    if std::fs::symlink_metadata(path).ok()?.file_type().is_symlink() {
        return None;
    }
    let (title, body) = match format {
        Format::Html => html_page(&String::from_utf8_lossy(&std::fs::read(path).ok()?))?,
        Format::Mallard => mallard_page(&String::from_utf8_lossy(&std::fs::read(path).ok()?))?,
        Format::Man => man_page(&gunzip(path)?, path)?,
    };
    if word_count(&body) < MIN_BODY_WORDS {
        return None;
    }
    Some(Distractor { source: path.to_owned(), title, body })
}

fn gunzip(path: &str) -> Option<String> {
    let output = Command::new("gzip").args(["-dc", "--", path]).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn fingerprint(page: &Distractor) -> u64 {
    let mut hasher = DefaultHasher::new();
    (&page.title, &page.body).hash(&mut hasher);
    hasher.finish()
}

/// Title and body of a LibreOffice help page: the text of its display area (without the
/// search and donation frames and the debug footer), titled by its first `<h1>`, else by
/// `<title>`.
fn html_page(html: &str) -> Option<(String, String)> {
    let area_start = html.find("id=\"DisplayArea\"")?;
    let area = &html[area_start..];
    let area = &area[area.find('>')? + 1..];
    let area_end = ["<div id=\"SearchFrame\"", "<footer"].iter().filter_map(|end| area.find(end)).min();
    let area = &area[..area_end.unwrap_or(area.len())];
    let text = extract(area, &["script", "style"], "h1");
    let title = text.title.or_else(|| head_title(html))?;
    Some((title, text.body))
}

fn head_title(html: &str) -> Option<String> {
    let start = html.find("<title>")? + "<title>".len();
    let end = start + html[start..].find("</title>")?;
    let title = normalize_space(&decode_entities(&html[start..end]));
    (!title.is_empty()).then_some(title)
}

/// Title and body of a Mallard page: its first `<title>` outside `<info>` (which holds
/// credits, links and revisions, not text to read) and the rest of its text.
fn mallard_page(xml: &str) -> Option<(String, String)> {
    let text = extract(xml, &["info", "comment"], "title");
    Some((text.title?, text.body))
}

/// The readable text of a piece of markup.
struct Extracted {
    /// The text of the first `title_element`, if there is one.
    title: Option<String>,
    /// All other text; blocks on lines of their own.
    body: String,
}

/// Drops the tags of HTML or XML, the content of `skipped` elements and of elements marked
/// `hidden` (LibreOffice's variants for other systems), and decodes entities.
fn extract(markup: &str, skipped: &[&str], title_element: &str) -> Extracted {
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut body = String::new();
    // The element being skipped, and how many of its kind are open inside it.
    let mut skipping: Option<(&str, usize)> = None;
    let tokens = Tokens { rest: markup };
    for token in tokens {
        if let Some((name, depth)) = skipping.as_mut() {
            match token {
                Token::Start { name: open, empty: false, .. } if open == *name => *depth += 1,
                Token::End(close) if close == *name => *depth -= 1,
                _ => {}
            }
            if *depth == 0 {
                skipping = None;
            }
            continue;
        }
        match token {
            Token::Start { name, attributes, empty } => {
                let void = VOID_ELEMENTS.contains(&name);
                if !empty && !void && (skipped.contains(&name) || is_hidden(attributes)) {
                    skipping = Some((name, 1));
                } else if title.is_none() && name == title_element && !empty {
                    in_title = true;
                    title = Some(String::new());
                } else if WORD_ELEMENTS.contains(&name) {
                    body.push(' ');
                } else if !INLINE_ELEMENTS.contains(&name) {
                    body.push(BLOCK_BREAK);
                }
            }
            Token::End(name) => {
                if in_title && name == title_element {
                    in_title = false;
                } else if !INLINE_ELEMENTS.contains(&name) {
                    body.push(BLOCK_BREAK);
                }
            }
            Token::Text(text) => {
                let target = if in_title { title.get_or_insert_with(String::new) } else { &mut body };
                target.push_str(&decode_entities(text));
            }
        }
    }
    let title = title.map(|title| normalize_blocks(&title)).filter(|title| !title.is_empty());
    Extracted { title, body: normalize_blocks(&body) }
}

/// Whether the attributes of a tag include `hidden` (alone or with a value).
fn is_hidden(attributes: &str) -> bool {
    let bytes = attributes.as_bytes();
    attributes.match_indices("hidden").any(|(at, name)| {
        let starts_attribute = at.checked_sub(1).is_some_and(|before| bytes[before].is_ascii_whitespace());
        let ends_name = bytes.get(at + name.len()).is_none_or(|&after| after == b'=' || after.is_ascii_whitespace());
        starts_attribute && ends_name
    })
}

/// A piece of markup: a start tag, an end tag, or the text between tags. Comments, doctype and
/// processing instructions are passed over.
enum Token<'a> {
    Start { name: &'a str, attributes: &'a str, empty: bool },
    End(&'a str),
    Text(&'a str),
}

struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            if let Some(after) = self.rest.strip_prefix("<!--") {
                self.rest = after.find("-->").map_or("", |end| &after[end + 3..]);
                continue;
            }
            if let Some(after) = self.rest.strip_prefix("<![CDATA[") {
                let end = after.find("]]>").unwrap_or(after.len());
                self.rest = after.get(end + 3..).unwrap_or("");
                return Some(Token::Text(&after[..end]));
            }
            if self.rest.starts_with("<!") || self.rest.starts_with("<?") {
                self.rest = self.rest.find('>').map_or("", |end| &self.rest[end + 1..]);
                continue;
            }
            return Some(self.tag().unwrap_or_else(|| self.text()));
        }
    }
}

impl<'a> Tokens<'a> {
    /// A start or end tag at the front, if that is what is there.
    fn tag(&mut self) -> Option<Token<'a>> {
        let after = self.rest.strip_prefix('<')?;
        let (closing, after) = match after.strip_prefix('/') {
            Some(after) => (true, after),
            None => (false, after),
        };
        if !after.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let end = tag_end(after);
        let inside = &after[..end];
        self.rest = after.get(end + 1..).unwrap_or("");
        let name_end =
            inside.bytes().position(|byte| byte.is_ascii_whitespace() || byte == b'/').unwrap_or(inside.len());
        // Namespace prefixes (`mal:credit`) do not matter here.
        let name = inside[..name_end].rsplit(':').next().unwrap_or_default();
        Some(if closing {
            Token::End(name)
        } else {
            Token::Start { name, attributes: &inside[name_end..], empty: inside.ends_with('/') }
        })
    }

    /// Text up to the next `<` that is not the front character.
    fn text(&mut self) -> Token<'a> {
        let first = self.rest.chars().next().map_or(0, char::len_utf8);
        let end = self.rest[first..].find('<').map_or(self.rest.len(), |at| at + first);
        let (text, rest) = self.rest.split_at(end);
        self.rest = rest;
        Token::Text(text)
    }
}

/// Where a tag ends: the first `>` outside quoted attribute values (the end of input if none).
fn tag_end(tag: &str) -> usize {
    let mut quote = None;
    // The delimiters are ASCII, so bytes will do (and stay on character boundaries).
    for (at, byte) in tag.bytes().enumerate() {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(byte),
            (Some(open), _) if byte == open => quote = None,
            (None, b'>') => return at,
            _ => {}
        }
    }
    tag.len()
}

/// Decodes the named entities of HTML and XML that these pages use and numeric references;
/// anything else is left as written.
fn decode_entities(text: &str) -> String {
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        decoded.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest[1..].find(';').filter(|&end| end <= 10).and_then(|end| {
            let character = entity_character(&rest[1..end + 1])?;
            Some((character, end + 2))
        });
        match entity {
            Some((character, length)) => {
                decoded.push(character);
                rest = &rest[length..];
            }
            None => {
                decoded.push('&');
                rest = &rest[1..];
            }
        }
    }
    decoded.push_str(rest);
    decoded
}

fn entity_character(name: &str) -> Option<char> {
    let numeric = |digits: &str, radix| u32::from_str_radix(digits, radix).ok().and_then(char::from_u32);
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => numeric(&hex[1..], 16),
            Some(decimal) => numeric(decimal, 10),
            None => None,
        },
    }
}

/// One line per non-empty line of `text`, with single spaces between words.
fn normalize_space(text: &str) -> String {
    collapse_space(text, b'\n')
}

/// Like [`normalize_space`] for extracted markup, where line breaks in the source are mere
/// spaces and blocks end at [`BLOCK_BREAK`].
fn normalize_blocks(text: &str) -> String {
    collapse_space(text, BLOCK_BREAK as u8)
}

/// Text with its blocks (ended by `block_break`) on lines of their own, empty blocks left out,
/// and every run of ASCII white space within a block made one space. Works on bytes, which keeps
/// debug builds fast; removing ASCII bytes from UTF-8 leaves valid UTF-8.
fn collapse_space(text: &str, block_break: u8) -> String {
    let mut collapsed = Vec::with_capacity(text.len());
    let mut separator = None;
    for &byte in text.as_bytes() {
        if byte == block_break {
            separator = Some(b'\n');
        } else if byte.is_ascii_whitespace() {
            separator = separator.or(Some(b' '));
        } else {
            if let Some(separator) = separator.take().filter(|_| !collapsed.is_empty()) {
                collapsed.push(separator);
            }
            collapsed.push(byte);
        }
    }
    String::from_utf8(collapsed).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// Words in text made by [`collapse_space`]: one more than its separators.
fn word_count(collapsed: &str) -> usize {
    if collapsed.is_empty() {
        0
    } else {
        1 + collapsed.bytes().filter(|&byte| byte == b' ' || byte == b'\n').count()
    }
}

/// Title and body of a manual page. The title is its NAME section ("ls - toon de inhoud van
/// mappen"), else the name it gives in `.TH`, else the file name; the body is the text of the
/// other sections, with the requests that only format it left out.
fn man_page(roff: &str, path: &str) -> Option<(String, String)> {
    let mut name_section = String::new();
    let mut body = String::new();
    let mut in_name_section = false;
    let mut header_name = None;
    for line in roff.lines() {
        let text = match line.strip_prefix(['.', '\'']) {
            Some(request) => {
                let request = request.trim_start();
                let (macro_name, arguments) = request.split_once([' ', '\t']).unwrap_or((request, ""));
                match macro_name {
                    "SH" | "Sh" => {
                        let heading = roff_arguments(arguments, " ");
                        in_name_section = matches!(heading.to_uppercase().as_str(), "NAAM" | "NAME");
                        if !in_name_section {
                            body.push('\n');
                            body.push_str(&heading);
                            body.push('\n');
                        }
                        continue;
                    }
                    "TH" | "Dt" => {
                        header_name = roff_arguments(arguments, " ").split_whitespace().next().map(str::to_lowercase);
                        continue;
                    }
                    _ => match macro_text(macro_name, arguments) {
                        Some(text) => text,
                        None => continue,
                    },
                }
            }
            None => roff_text(line),
        };
        let target = if in_name_section { &mut name_section } else { &mut body };
        target.push_str(&text);
        target.push('\n');
    }
    let file_name = || Path::new(path).file_name()?.to_str()?.split('.').next().map(str::to_owned);
    let title = Some(normalize_space(&name_section).replace('\n', " "))
        .filter(|title| !title.is_empty())
        .or(header_name)
        .or_else(file_name)?;
    Some((title, normalize_space(&body)))
}

/// The text a macro line puts on the page, `None` for requests that only format.
fn macro_text(macro_name: &str, arguments: &str) -> Option<String> {
    match macro_name {
        // man: fonts, one argument after the other.
        "B" | "I" | "SM" | "SB" | "SS" | "IP" => Some(roff_arguments(arguments, " ")),
        // man: alternating fonts, arguments written together.
        "BR" | "BI" | "IB" | "IR" | "RB" | "RI" => Some(roff_arguments(arguments, "")),
        // mdoc: semantic macros whose arguments are text, with nested macro names left out.
        "Nm" | "Nd" | "Ss" | "It" | "Op" | "Fl" | "Ar" | "Pa" | "Xr" | "Dv" | "Ev" | "Em" | "Sy" | "Li" | "Cm"
        | "Ic" | "Va" | "Dq" | "Ql" | "Sq" | "Pq" | "Bq" | "Aq" | "Qq" | "Dl" | "D1" | "Cd" | "Fn" | "Fa" | "Ft"
        | "Er" | "An" | "Lk" | "Mt" => {
            let words = roff_arguments(arguments, " ");
            Some(words.split_whitespace().filter(|word| !is_mdoc_macro(word)).collect::<Vec<_>>().join(" "))
        }
        _ => None,
    }
}

fn is_mdoc_macro(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(first), Some(second), None)
        if first.is_ascii_uppercase() && second.is_ascii_lowercase())
}

/// The arguments of a macro line (words, or "quoted phrases") as text, joined by `separator`.
fn roff_arguments(arguments: &str, separator: &str) -> String {
    let mut words = Vec::new();
    let mut rest = arguments.trim_start();
    while !rest.is_empty() {
        let (word, after) = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').unwrap_or((quoted, "")),
            None => rest.split_once([' ', '\t']).unwrap_or((rest, "")),
        };
        words.push(roff_text(word));
        rest = after.trim_start();
    }
    words.join(separator)
}

/// A line of roff text with its escape sequences resolved: font changes and spacing dropped,
/// special characters written as characters.
fn roff_text(line: &str) -> String {
    let mut text = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        let Some(escape) = chars.next() else { break };
        match escape {
            '"' | '#' => break, // a comment to the end of the line
            '(' => {
                let name: String = chars.by_ref().take(2).collect();
                text.push_str(special_character(&name));
            }
            '[' => {
                let name: String = chars.by_ref().take_while(|&c| c != ']').collect();
                text.push_str(special_character(&name));
            }
            '*' => {
                let name = escape_name(&mut chars);
                text.push_str(special_character(&name));
            }
            'f' | 'n' | 'F' | 'g' | 'k' | 'm' | 'M' | 'V' | 'Y' => {
                escape_name(&mut chars);
            }
            's' => skip_size(&mut chars),
            'h' | 'v' | 'w' | 'l' | 'L' | 'D' | 'o' | 'b' | 'x' | 'X' | 'Z' | 'N' | 'A' | 'B' | 'C' | 'R' | 'S' => {
                skip_delimited(&mut chars)
            }
            '-' => text.push('-'),
            'e' | '\\' => text.push('\\'),
            ' ' | '~' | '0' | 't' => text.push(' '),
            '\'' => text.push('´'),
            '`' => text.push('`'),
            '.' => text.push('.'),
            // Zero-width marks, line continuation, half-line moves.
            '&' | ',' | '/' | '|' | '^' | ':' | '%' | ')' | 'c' | 'd' | 'u' | 'r' | 'p' | 'a' | 'z' | '{' | '}' => {}
            other => text.push(other),
        }
    }
    text
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// The name after `\f`, `\*`, `\n` …: one character, `(xx` or `[name]`.
fn escape_name(chars: &mut Chars) -> String {
    match chars.next() {
        Some('(') => chars.by_ref().take(2).collect(),
        Some('[') => chars.by_ref().take_while(|&c| c != ']').collect(),
        Some(c) => c.to_string(),
        None => String::new(),
    }
}

/// `\s` with its size: `\s0`, `\s-1`, `\s+2`, `\s(12`, `\s[12]`.
fn skip_size(chars: &mut Chars) {
    if chars.next_if(|&c| c == '+' || c == '-').is_some() || chars.peek().is_some_and(char::is_ascii_digit) {
        chars.next_if(char::is_ascii_digit);
        chars.next_if(char::is_ascii_digit);
    } else {
        escape_name(chars);
    }
}

/// An escape's argument between delimiters, as in `\h'3n'`.
fn skip_delimited(chars: &mut Chars) {
    if let Some(delimiter) = chars.next() {
        chars.by_ref().find(|&c| c == delimiter);
    }
}

fn special_character(name: &str) -> &'static str {
    match name {
        "aq" => "'",
        "oq" => "‘",
        "cq" => "’",
        "lq" => "“",
        "rq" => "”",
        "dq" => "\"",
        "em" => "—",
        "en" => "–",
        "hy" | "mi" => "-",
        "bu" => "•",
        "co" => "©",
        "rg" | "R" => "®",
        "Tm" => "™",
        "ga" => "`",
        "ha" => "^",
        "ti" => "~",
        "rs" => "\\",
        "pl" => "+",
        "mu" => "×",
        "de" => "°",
        "->" | "rA" => "→",
        "<-" | "lA" => "←",
        "Fo" => "«",
        "Fc" => "»",
        ":e" => "ë",
        "'e" => "é",
        "`e" => "è",
        "^e" => "ê",
        ":i" => "ï",
        ":o" => "ö",
        ":u" => "ü",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    // Used by the #[test]s, which run in the integration tests; a bench target built for
    // `clippy --all-targets` compiles this module without them.
    #[allow(unused_imports)]
    use super::*;

    #[test]
    fn html_page_reads_the_display_area_titled_by_its_heading() {
        let html = r#"<!DOCTYPE html><html lang="nl"><head><title>Externe bestanden</title>
            <script>var x = "<p>niet dit</p>";</script></head>
            <body><aside><input type="search" placeholder="Zoeken"></aside>
            <div id="DisplayArea" itemprop="softwareHelp"><a name="bm"></a>
            <meta itemprop="keywords" content="a,b">
            <h1 id="hd_1" dir="auto">Een externe bestandsservice instellen</h1>
            <p class="paragraph">Klik op <span class="menuitem">Bestand - Extern openen</span>.</p>
            <p>Wachtwoord in <span hidden="true" class="MAC"><span>Voorkeuren</span></span><span>Extra - Opties</span>
            &amp; &lt;tab&gt; &#233;&#xE9;n &onbekend; keer&nbsp;klikken</p>
            </div><div id="SearchFrame"></div><footer><p>This page is: debug</p></footer></body></html>"#;
        let (title, body) = html_page(html).expect("a page");
        assert_eq!(title, "Een externe bestandsservice instellen");
        assert_eq!(
            body,
            "Klik op Bestand - Extern openen.\nWachtwoord in Extra - Opties & <tab> één &onbekend; keer klikken"
        );
    }

    #[test]
    fn html_page_without_heading_takes_its_head_title() {
        let html = r#"<title>Schermafdrukken</title><div id="DisplayArea"><p>Tekst</p></div>"#;
        assert_eq!(html_page(html), Some(("Schermafdrukken".to_owned(), "Tekst".to_owned())));
    }

    #[test]
    fn mallard_page_leaves_out_its_info_and_titles_by_the_page_title() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
            <page xmlns="http://projectmallard.org/1.0/" type="topic" id="a11y-bouncekeys" xml:lang="nl">
              <info>
                <title type="sort">sorteren</title>
                <credit type="author"><name>Shaun McCance</name></credit>
                <desc>Snel herhaalde toetsaanslagen negeren.</desc>
                <mal:credit xmlns:mal="http://projectmallard.org/1.0/"><mal:name>Vertaler</mal:name></mal:credit>
              </info>
              <title>Springende toetsen inschakelen</title>
              <!-- <p>commentaar</p> -->
              <p><em>Springende toetsen</em> negeren toetsaanslagen.</p>
              <steps><item><p>Open <gui>Instellingen</gui>.</p></item></steps>
              <note style="tip"><title>Snel aan en uit</title><p>Via de bovenbalk &amp; het menu.</p></note>
            </page>"#;
        let (title, body) = mallard_page(xml).expect("a page");
        assert_eq!(title, "Springende toetsen inschakelen");
        assert_eq!(
            body,
            "Springende toetsen negeren toetsaanslagen.\nOpen Instellingen.\nSnel aan en uit\nVia de bovenbalk & het menu."
        );
    }

    #[test]
    fn man_page_titles_by_its_name_section_and_drops_formatting() {
        let roff = r#".\" -*- coding: UTF-8 -*-
.TH LS 1 "September 2022" "GNU coreutils 9.1" "Opdrachten voor gebruikers"
.SH NAAM
ls \- toon de inhoud van mappen
.SH SAMENVATTING
\fBls\fP [\fI\,OPTIE\/\fP]...
.SH BESCHRIJVING
.\" Add any additional description here
.PP
Toon informatie over de gegeven BESTANDen \(em standaard de huidige map.
.TP
\fB\-a\fP, \fB\-\-all\fP
.BR ls (1)
.B "vet gedrukt"
\s-1klein\s0 en \*(lqaanhalingen\*(rq
"#;
        let (title, body) = man_page(roff, "/usr/share/man/nl/man1/ls.1.gz").expect("a page");
        assert_eq!(title, "ls - toon de inhoud van mappen");
        assert_eq!(
            body,
            "SAMENVATTING\nls [OPTIE]...\nBESCHRIJVING\nToon informatie over de gegeven BESTANDen — standaard de \
             huidige map.\n-a, --all\nls(1)\nvet gedrukt\nklein en “aanhalingen”"
        );
    }

    #[test]
    fn mdoc_page_leaves_out_nested_macro_names() {
        let roff =
            ".Dd 2023\n.Dt FILE 1\n.Sh NAAM\n.Nm file\n.Nd bepaal bestandstype\n.Sh SAMENVATTING\n.Nm\n.Op Fl bcE\n";
        let (title, body) = man_page(roff, "file.1.gz").expect("a page");
        assert_eq!(title, "file bepaal bestandstype");
        assert_eq!(body, "SAMENVATTING\nbcE");
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for input in
            ["<", "<p", "</", "<!--", "<![CDATA[x", "<a href=\"x>", "&", "&#xFFFFFFFF;", "é<é>é", "\\", "\\s", "\\(a"]
        {
            let _ = extract(input, &[], "h1");
            let _ = roff_text(input);
            let _ = man_page(input, "x");
            let _ = html_page(&format!("<div id=\"DisplayArea\">{input}"));
        }
    }
}
