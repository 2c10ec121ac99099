//! A hit's passage as HTML: cut on word boundaries, "…" where text was left out, the
//! matches in `<mark>`. Only the few characters around the cuts are looked at, never the
//! whole text, so it costs nothing next to finding the passage.

use std::ops::Range;

use tantivy::snippet::collapse_overlapped_ranges;

const ELLIPSIS: &str = "…";

/// `text[passage]` as escaped HTML with `marks` (byte ranges in `text`) highlighted. A word
/// cut in two at either end is left out, unless it holds a mark: then it is completed.
pub fn render(text: &str, passage: Range<usize>, marks: &[Range<usize>]) -> String {
    let marks = collapse_overlapped_ranges(marks);
    let start = cut_start(text, passage.start, marks.first().map(|mark| mark.start));
    let end = cut_end(text, passage.end.max(start), marks.last().map(|mark| mark.end)).max(start);
    let mut html = String::with_capacity(end - start + 32);
    if has_word(&text[..start]) {
        html.push_str(ELLIPSIS);
    }
    let mut done = start;
    for mark in marks.iter().map(|mark| mark.start.max(start)..mark.end.min(end)).filter(|mark| mark.start < mark.end) {
        html.push_str(&escape(&text[done..mark.start]));
        html.push_str("<mark>");
        html.push_str(&escape(&text[mark.clone()]));
        html.push_str("</mark>");
        done = mark.end;
    }
    html.push_str(&escape(&text[done..end]));
    if end < text.len() {
        html.push_str(ELLIPSIS);
    }
    html
}

/// The first `max_chars` characters of `text` as escaped HTML, cut like `render`'s passages.
pub fn leading(text: &str, max_chars: usize) -> String {
    let end = text.char_indices().nth(max_chars).map_or(text.len(), |(end, _)| end);
    render(text, 0..end, &[])
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn has_word(text: &str) -> bool {
    text.chars().any(is_word_char)
}

/// Whether `at` falls inside a word of `text`.
fn inside_word(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(is_word_char) && text[at..].chars().next().is_some_and(is_word_char)
}

/// Where the passage starts: at `at`, or past a word cut in two there (back at that word's
/// start when the first mark lies in it), and past the spaces and punctuation before the
/// next word.
fn cut_start(text: &str, at: usize, first_mark: Option<usize>) -> usize {
    if !has_word(&text[..at]) {
        return at;
    }
    let word_end = at + text[at..].find(|c: char| !is_word_char(c)).unwrap_or(text.len() - at);
    if inside_word(text, at) && first_mark.is_some_and(|mark| mark < word_end) {
        return text[..at].rfind(|c: char| !is_word_char(c)).map_or(0, |before| before + char_len(text, before));
    }
    let from = if inside_word(text, at) { word_end } else { at };
    from + text[from..].find(is_word_char).unwrap_or(text.len() - from)
}

/// Where the passage ends: at `at`, or before a word cut in two there (after that word when
/// the last mark lies in it); at the text's end when only spaces and punctuation follow;
/// without dangling separators before a cut.
fn cut_end(text: &str, at: usize, last_mark: Option<usize>) -> usize {
    if !has_word(&text[at..]) {
        return text.trim_end().len().max(at);
    }
    let word_start = text[..at].rfind(|c: char| !is_word_char(c)).map_or(0, |before| before + char_len(text, before));
    if inside_word(text, at) && last_mark.is_some_and(|mark| mark > word_start) {
        return at + text[at..].find(|c: char| !is_word_char(c)).unwrap_or(text.len() - at);
    }
    let until = if inside_word(text, at) { word_start } else { at };
    text[..until].trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—([{\"'„“‘".contains(c)).len()
}

fn char_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(0, char::len_utf8)
}

fn escape(text: &str) -> String {
    handlebars::html_escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range_of(text: &str, word: &str) -> Range<usize> {
        let start = text.find(word).unwrap();
        start..start + word.len()
    }

    #[test]
    fn a_passage_inside_the_text_drops_cut_words_and_shows_the_cuts() {
        let text = "Thuiszitters krijgen op de praktijkschool les in kleine groepen met vaste begeleiders.";
        let passage = text.find("ijgen").unwrap()..text.find("roepen").unwrap();
        let html = render(text, passage, &[range_of(text, "praktijkschool")]);
        assert_eq!(html, "…op de <mark>praktijkschool</mark> les in kleine…");
    }

    #[test]
    fn a_cut_word_holding_a_match_is_completed() {
        let text = "De thuiszitterslabs en de onderwijszorgarrangementen werken samen.";
        let start = text.find("zitters").unwrap();
        let end = text.find("zorgarr").unwrap() + "zorgarr".len();
        let marks = [start..start + "zitters".len(), text.find("zorg").unwrap()..end];
        let html = render(text, start..end, &marks);
        assert_eq!(html, "…thuis<mark>zitters</mark>labs en de onderwijs<mark>zorgarr</mark>angementen…");
    }

    #[test]
    fn no_ellipsis_at_the_start_or_end_of_the_text() {
        let text = "Dokwerk helpt leerlingen.";
        let html = render(text, 0..text.find('.').unwrap(), &[range_of(text, "Dokwerk")]);
        assert_eq!(html, "<mark>Dokwerk</mark> helpt leerlingen.");
    }

    #[test]
    fn text_is_escaped_and_marks_stay_intact() {
        let text = "Meer dan <b>60%</b> & de doorstroom naar het vmbo stijgt";
        let html = render(text, 0..text.len(), &[range_of(text, "doorstroom")]);
        assert_eq!(html, "Meer dan &lt;b&gt;60%&lt;/b&gt; &amp; de <mark>doorstroom</mark> naar het vmbo stijgt");
    }

    #[test]
    fn separators_before_a_cut_are_left_out() {
        let text = "Samen met ouders, scholen en jeugdhulp.";
        let html = render(text, 0..text.find("scholen").unwrap() + 2, &[]);
        assert_eq!(html, "Samen met ouders…");
    }

    #[test]
    fn leading_cuts_on_a_word_boundary() {
        assert_eq!(leading("Kleine groepen vmbo-leerlingen", 10), "Kleine…");
        assert_eq!(leading("Kort", 10), "Kort");
        assert_eq!(leading("Één coöperatie", 6), "Één…");
    }

    #[test]
    fn any_passage_of_any_text_renders() {
        let text = "Één coöperatie — “thuiszitters”, 60% & <b>meer</b>: zorg…";
        let bounds: Vec<usize> = text.char_indices().map(|(at, _)| at).chain([text.len()]).collect();
        for (index, &start) in bounds.iter().enumerate() {
            for &end in &bounds[index..] {
                let html = render(text, start..end, std::slice::from_ref(&(start..end)));
                assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count(), "{start}..{end}");
                assert!(!html.contains("<b>"), "{html}");
            }
        }
    }
}
