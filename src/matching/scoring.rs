//! How a candidate expert or practice is scored for a need, and the reasons told in words.
//! Pure: the candidates' facts come in, a score and reasons go out.
//!
//! A score is mostly how well the text fits (the search score, normalised to the best hit),
//! with smaller parts for shared themes, the province and the kind of expertise asked for;
//! open introductions take off. (Counting the practices found near an expert was tried and
//! measured worse on the evaluation set: see benches/README.md.) Experts who are not available
//! are ranked after every available one, whatever their score.

use std::cmp::Ordering;

use crate::taxonomy::neighbouring_provinces;

/// Share of the score that is the fit of the text.
const TEXT_WEIGHT: f32 = 0.6;
/// Share for covering the need's themes (all of them: the whole share).
const THEMES_WEIGHT: f32 = 0.2;
const SAME_PROVINCE_WEIGHT: f32 = 0.1;
const NEIGHBOURING_PROVINCE_WEIGHT: f32 = 0.05;
/// The expert brings the kind of expertise the need asks for.
const KIND_WEIGHT: f32 = 0.05;
/// Taken off per open introduction, up to `OPEN_REQUESTS_COUNTED`.
const OPEN_REQUEST_PENALTY: f32 = 0.08;
const OPEN_REQUESTS_COUNTED: usize = 3;
/// A practice's fit counts for this share towards its contact person's fit.
pub const CONTACT_WEIGHT: f32 = 0.9;
/// A document's fit counts for this share towards its practice's fit.
pub const DOCUMENT_WEIGHT: f32 = 0.8;

/// What the need says beyond its text.
#[derive(Debug, Clone, Copy)]
pub struct NeedFacts<'a> {
    /// Theme slugs.
    pub themes: &'a [String],
    pub province: Option<&'a str>,
    /// The kinds of expertise its words ask for (see [`wanted_kinds`]).
    pub kinds: &'a [&'static str],
}

/// A score with its reasons, in Dutch.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: f32,
    pub reasons: Vec<String>,
}

/// Where a candidate is, seen from the need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nearness {
    SameProvince,
    NeighbouringProvince,
    Elsewhere,
}

/// `None` when either side names no province.
pub fn nearness(need: Option<&str>, candidate: Option<&str>) -> Option<Nearness> {
    let (need, candidate) = (need?, candidate?);
    Some(if need == candidate {
        Nearness::SameProvince
    } else if neighbouring_provinces(need).contains(&candidate) {
        Nearness::NeighbouringProvince
    } else {
        Nearness::Elsewhere
    })
}

/// Words (folded, as the analyzer leaves them) whose start tells which kind of expertise a
/// question asks for: a parent or young person, someone with lived experience, research,
/// or policy. Practical expertise is what most questions ask and needs no cue.
const KIND_CUES: [(&str, &[&str]); 4] = [
    ("ouder-jongere", &["ouder", "jongere", "leerling", "kind"]),
    ("ervaringsdeskundige", &["ervaring", "ervaringsdeskundig", "perspectief", "stem"]),
    ("wetenschap", &["onderzoek", "meten", "meting", "monitor", "effect", "data", "cijfer", "evaluat"]),
    ("beleid", &["beleid", "financier", "bekostig", "afspra", "convenant", "inkoop", "regio", "budget", "geld"]),
];

/// The kinds of expertise the words of a need ask for, in `KIND_CUES` order.
pub fn wanted_kinds(words: &[String]) -> Vec<&'static str> {
    KIND_CUES
        .iter()
        .filter(|(_, cues)| words.iter().any(|word| cues.iter().any(|cue| word.starts_with(cue))))
        .map(|(kind, _)| *kind)
        .collect()
}

/// A practice found for the need.
#[derive(Debug, Clone)]
pub struct PracticeEvidence<'a> {
    /// Fit of the text, 0 to 1.
    pub fit: f32,
    pub themes: &'a [String],
    pub province: Option<&'a str>,
    /// The title of the document that found it, when that fits better than the practice.
    pub via_document: Option<&'a str>,
}

pub fn score_practice(need: &NeedFacts, practice: &PracticeEvidence, theme_name: &dyn Fn(&str) -> String) -> Scored {
    let mut reasons = Vec::new();
    let mut score = TEXT_WEIGHT * practice.fit;
    score += themes_part(need.themes, practice.themes, theme_name, &mut reasons);
    if let Some(title) = practice.via_document {
        reasons.push(format!("document {title}"));
    }
    score += province_part(need.province, practice.province, &mut reasons);
    Scored { score, reasons }
}

/// An earlier question in the archive found for the need: by its text (`fit`, 0 to 1) and
/// its themes.
pub fn score_question(need: &NeedFacts, fit: f32, themes: &[String], theme_name: &dyn Fn(&str) -> String) -> Scored {
    let mut reasons = Vec::new();
    let score = TEXT_WEIGHT * fit + themes_part(need.themes, themes, theme_name, &mut reasons);
    if reasons.is_empty() {
        reasons.push("de tekst lijkt op deze vraag".into());
    }
    Scored { score, reasons }
}

/// An expert found for the need: by their own profile, as the contact of practices found,
/// or both.
#[derive(Debug, Clone)]
pub struct ExpertEvidence<'a> {
    /// Fit of the profile's text, 0 to 1.
    pub fit: f32,
    /// The practices found that name this person as their contact: (title, fit).
    pub contact_of: Vec<(&'a str, f32)>,
    pub themes: &'a [String],
    pub province: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub available: bool,
    /// Introductions to this expert that are still open.
    pub open_requests: usize,
}

pub fn score_expert(need: &NeedFacts, expert: &ExpertEvidence, theme_name: &dyn Fn(&str) -> String) -> Scored {
    let mut reasons = Vec::new();
    let via_practice = expert.contact_of.iter().map(|(_, fit)| CONTACT_WEIGHT * fit).fold(0.0, f32::max);
    let mut score = TEXT_WEIGHT * expert.fit.max(via_practice);
    score += themes_part(need.themes, expert.themes, theme_name, &mut reasons);
    reasons.extend(expert.contact_of.iter().map(|(title, _)| format!("contactpersoon van {title}")));
    score += province_part(need.province, expert.province, &mut reasons);
    if expert.kind.is_some_and(|kind| need.kinds.contains(&kind)) {
        score += KIND_WEIGHT;
        reasons.push("gevraagde soort expertise".into());
    }
    reasons.push(if expert.available { "beschikbaar" } else { "niet beschikbaar" }.into());
    if expert.open_requests > 0 {
        score -= OPEN_REQUEST_PENALTY * expert.open_requests.min(OPEN_REQUESTS_COUNTED) as f32;
        reasons.push(match expert.open_requests {
            1 => "1 lopende vraag".to_string(),
            count => format!("{count} lopende vragen"),
        });
    }
    Scored { score, reasons }
}

/// Available experts before unavailable ones, each by score, highest first.
pub fn expert_order(a: (bool, f32), b: (bool, f32)) -> Ordering {
    b.0.cmp(&a.0).then_with(|| b.1.total_cmp(&a.1))
}

/// The share of the need's themes the candidate has, with a reason per shared theme.
fn themes_part(
    wanted: &[String],
    has: &[String],
    theme_name: &dyn Fn(&str) -> String,
    reasons: &mut Vec<String>,
) -> f32 {
    let shared: Vec<&String> = wanted.iter().filter(|theme| has.contains(theme)).collect();
    reasons.extend(shared.iter().map(|theme| format!("thema {}", lower_first(&theme_name(theme)))));
    if wanted.is_empty() {
        return 0.0;
    }
    THEMES_WEIGHT * shared.len() as f32 / wanted.len() as f32
}

fn province_part(need: Option<&str>, candidate: Option<&str>, reasons: &mut Vec<String>) -> f32 {
    match nearness(need, candidate) {
        Some(Nearness::SameProvince) => {
            reasons.push("zelfde provincie".into());
            SAME_PROVINCE_WEIGHT
        }
        Some(Nearness::NeighbouringProvince) => {
            reasons.push("buurprovincie".into());
            NEIGHBOURING_PROVINCE_WEIGHT
        }
        Some(Nearness::Elsewhere) | None => 0.0,
    }
}

/// "Jeugdhulp op school" → "jeugdhulp op school", so that a reason reads as part of a
/// sentence; a name with a proper noun further on ("Nationaal Programma Onderwijs") or an
/// acronym first ("NPO") stays as it is.
fn lower_first(name: &str) -> String {
    let capitalised = |word: &str| {
        let mut chars = word.chars();
        matches!((chars.next(), chars.next()), (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase())
    };
    let mut words = name.split(' ');
    let first = words.next().unwrap_or_default();
    if !capitalised(first) || words.any(capitalised) {
        return name.to_string();
    }
    let mut chars = name.chars();
    chars.next().into_iter().flat_map(char::to_lowercase).chain(chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(slug: &str) -> String {
        match slug {
            "thuiszitters" => "Thuiszitters".into(),
            "npo" => "NPO".into(),
            other => other.into(),
        }
    }

    #[test]
    fn theme_names_read_as_part_of_a_sentence() {
        assert_eq!(lower_first("Onderwijszorgarrangementen (OZA)"), "onderwijszorgarrangementen (OZA)");
        assert_eq!(lower_first("Nationaal Programma Onderwijs (NPO)"), "Nationaal Programma Onderwijs (NPO)");
        assert_eq!(lower_first("NPO"), "NPO");
        assert_eq!(lower_first("doorgaande lijn"), "doorgaande lijn");
    }

    fn themes(slugs: &[&str]) -> Vec<String> {
        slugs.iter().map(|slug| slug.to_string()).collect()
    }

    fn expert<'a>(themes: &'a [String], province: Option<&'a str>) -> ExpertEvidence<'a> {
        ExpertEvidence {
            fit: 0.5,
            contact_of: Vec::new(),
            themes,
            province,
            kind: Some("praktijk"),
            available: true,
            open_requests: 0,
        }
    }

    #[test]
    fn provinces_are_the_same_neighbouring_or_elsewhere() {
        assert_eq!(nearness(Some("Utrecht"), Some("Utrecht")), Some(Nearness::SameProvince));
        assert_eq!(nearness(Some("Utrecht"), Some("Gelderland")), Some(Nearness::NeighbouringProvince));
        assert_eq!(nearness(Some("Utrecht"), Some("Limburg")), Some(Nearness::Elsewhere));
        assert_eq!(nearness(None, Some("Limburg")), None);
        assert_eq!(nearness(Some("Limburg"), None), None);
    }

    #[test]
    fn the_same_province_scores_above_a_neighbouring_one_above_elsewhere() {
        let need_themes = themes(&["thuiszitters"]);
        let need = NeedFacts { themes: &need_themes, province: Some("Zuid-Holland"), kinds: &[] };
        let has = themes(&["thuiszitters"]);
        let score = |province| score_expert(&need, &expert(&has, Some(province)), &name).score;
        assert!(score("Zuid-Holland") > score("Noord-Brabant"));
        assert!(score("Noord-Brabant") > score("Groningen"));
        let reasons = score_expert(&need, &expert(&has, Some("Zeeland")), &name).reasons;
        assert_eq!(reasons, ["thema thuiszitters", "buurprovincie", "beschikbaar"]);
    }

    #[test]
    fn open_requests_lower_the_score_and_are_told() {
        let need = NeedFacts { themes: &[], province: None, kinds: &[] };
        let free = score_expert(&need, &expert(&[], None), &name);
        let busy = score_expert(&need, &ExpertEvidence { open_requests: 1, ..expert(&[], None) }, &name);
        let busier = score_expert(&need, &ExpertEvidence { open_requests: 2, ..expert(&[], None) }, &name);
        assert!(free.score > busy.score && busy.score > busier.score);
        assert!(busy.reasons.contains(&"1 lopende vraag".to_string()));
        assert!(busier.reasons.contains(&"2 lopende vragen".to_string()));
    }

    #[test]
    fn unavailable_experts_come_after_every_available_one() {
        let mut ranked = [(false, 0.9), (true, 0.1), (true, 0.5), (false, 0.2)];
        ranked.sort_by(|a, b| expert_order(*a, *b));
        assert_eq!(ranked, [(true, 0.5), (true, 0.1), (false, 0.9), (false, 0.2)]);
    }

    #[test]
    fn a_contact_of_a_fitting_practice_fits_and_says_so() {
        let need = NeedFacts { themes: &[], province: None, kinds: &[] };
        let unknown = ExpertEvidence { fit: 0.0, ..expert(&[], None) };
        let contact = ExpertEvidence { contact_of: vec![("Dokwerk", 1.0)], ..unknown.clone() };
        let scored = score_expert(&need, &contact, &name);
        assert!(scored.score > score_expert(&need, &unknown, &name).score);
        assert!(scored.reasons.contains(&"contactpersoon van Dokwerk".to_string()));
    }

    #[test]
    fn the_kind_of_expertise_asked_for_counts_and_is_told() {
        let need = NeedFacts { themes: &[], province: Some("Zuid-Holland"), kinds: &["beleid"] };
        let plain = ExpertEvidence { province: Some("Zuid-Holland"), ..expert(&[], None) };
        let policy = ExpertEvidence { kind: Some("beleid"), ..plain.clone() };
        let scored = score_expert(&need, &policy, &name);
        assert!(scored.score > score_expert(&need, &plain, &name).score);
        assert_eq!(scored.reasons, ["zelfde provincie", "gevraagde soort expertise", "beschikbaar"]);
    }

    #[test]
    fn practices_score_by_fit_themes_and_province() {
        let wanted = themes(&["npo", "thuiszitters"]);
        let need = NeedFacts { themes: &wanted, province: Some("Utrecht"), kinds: &[] };
        let has = themes(&["npo"]);
        let practice = PracticeEvidence { fit: 1.0, themes: &has, province: Some("Utrecht"), via_document: None };
        let scored = score_practice(&need, &practice, &name);
        assert!((scored.score - (TEXT_WEIGHT + THEMES_WEIGHT / 2.0 + SAME_PROVINCE_WEIGHT)).abs() < 1e-6);
        assert_eq!(scored.reasons, ["thema NPO", "zelfde provincie"]);
        let by_document = PracticeEvidence { via_document: Some("Plan van aanpak"), province: None, ..practice };
        assert_eq!(score_practice(&need, &by_document, &name).reasons, ["thema NPO", "document Plan van aanpak"]);
    }

    #[test]
    fn the_kinds_asked_for_come_from_the_words() {
        let words = |text: &str| text.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(wanted_kinds(&words("hoe betrekken we ouders bij het beleid")), ["ouder-jongere", "beleid"]);
        assert_eq!(wanted_kinds(&words("wie heeft onderzoek gedaan")), ["wetenschap"]);
        assert!(wanted_kinds(&words("een zorgteam op school")).is_empty());
    }
}
