//! Markdown as people write it, rendered to HTML that is safe to embed, and reduced to plain
//! text for the search index.

use pulldown_cmark::{html, Event, Options, Parser, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Renders Markdown and sanitizes the result with ammonia: no scripts, no event handlers,
/// no `javascript:` links, whatever the source says.
pub fn to_safe_html(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(&unsafe_html).to_string()
}

/// The words of a Markdown text without its markup, paragraphs on lines of their own.
pub fn to_plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow) => text.push('\n'),
            _ => {}
        }
    }
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = to_safe_html("Hallo <script>alert(1)</script> <a href=\"javascript:x()\" onclick=\"y()\">link</a>");
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onclick"));
    }

    #[test]
    fn markdown_renders() {
        assert_eq!(to_safe_html("## Kop\n\n- een"), "<h2>Kop</h2>\n<ul>\n<li>een</li>\n</ul>\n");
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            to_plain_text("## Kop\n\nEen **vet** woord en [link](https://x.nl)."),
            "Kop\nEen vet woord en link."
        );
    }
}
