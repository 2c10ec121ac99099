//! Pages a Dutch public-sector site is expected to have: the accessibility statement, the
//! privacy statement and contact details. Each has a default text; the programme office
//! may reword it, and an edited page is stored and shown instead.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};
use serde::{Deserialize, Serialize};

use entity::site_page;

use crate::actor::{policy, Actor};
use crate::db;
use crate::validation::{has_forbidden_chars, EditError, FieldErrors, FORBIDDEN_CHARS_MESSAGE};

/// The pages, each at its own Dutch address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitePage {
    Accessibility,
    Privacy,
    Contact,
}

impl SitePage {
    pub const ALL: [SitePage; 3] = [SitePage::Accessibility, SitePage::Privacy, SitePage::Contact];

    /// The page's address without the leading slash, also its key in the database.
    pub fn slug(self) -> &'static str {
        match self {
            SitePage::Accessibility => "toegankelijkheid",
            SitePage::Privacy => "privacy",
            SitePage::Contact => "contact",
        }
    }

    pub fn from_slug(slug: &str) -> Option<SitePage> {
        SitePage::ALL.into_iter().find(|page| page.slug() == slug)
    }

    fn default_title(self) -> &'static str {
        match self {
            SitePage::Accessibility => "Toegankelijkheidsverklaring",
            SitePage::Privacy => "Privacyverklaring",
            SitePage::Contact => "Contact",
        }
    }
}

/// What the default texts take from the configuration, so they never state a retention
/// period or address other than the one in use.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// `OOGST_REGISTRATION_RETENTION_DAYS`.
    pub registration_retention_days: i64,
    /// `OOGST_MAIL_REPLY_TO`, where replies to the site's mail reach the programme office.
    pub contact_address: Option<String>,
}

impl Defaults {
    pub fn from_config(config: &crate::config::Config) -> Defaults {
        let reply_to = config.mail_reply_to.trim();
        Defaults {
            registration_retention_days: config.registration_retention_days,
            contact_address: (!reply_to.is_empty()).then(|| reply_to.to_string()),
        }
    }

    fn body(&self, page: SitePage) -> String {
        match page {
            SitePage::Accessibility => ACCESSIBILITY.replace("{contact}", &self.contact_sentence()),
            SitePage::Privacy => PRIVACY
                .replace("{retention_days}", &self.registration_retention_days.to_string())
                .replace("{contact}", &self.contact_sentence()),
            SitePage::Contact => CONTACT.replace("{contact}", &self.contact_sentence()),
        }
    }

    fn contact_sentence(&self) -> String {
        match &self.contact_address {
            Some(address) => {
                let bare = address.rsplit('<').next().unwrap_or(address).trim_end_matches('>').trim();
                format!("Mail het programmabureau op [{bare}](mailto:{bare}).")
            }
            None => "Antwoord op een mail van Oogst of vraag de contactpersoon van uw organisatie; \
                     die brengt u in contact met het programmabureau."
                .to_string(),
        }
    }
}

/// A page as shown: the edited text, or the default one.
#[derive(Debug, Clone, Serialize)]
pub struct SitePageContent {
    pub slug: String,
    pub title: String,
    pub body_markdown: String,
    /// When and by whom it was last edited; none while it shows the default text.
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}

pub async fn find(
    db: &impl ConnectionTrait,
    defaults: &Defaults,
    page: SitePage,
) -> Result<SitePageContent, sea_orm::DbErr> {
    Ok(match site_page::Entity::find_by_id(page.slug()).one(db).await? {
        Some(stored) => SitePageContent {
            slug: stored.slug,
            title: stored.title,
            body_markdown: stored.body_markdown,
            updated_at: Some(stored.updated_at),
            updated_by: Some(stored.updated_by),
        },
        None => SitePageContent {
            slug: page.slug().to_string(),
            title: page.default_title().to_string(),
            body_markdown: defaults.body(page),
            updated_at: None,
            updated_by: None,
        },
    })
}

/// Every page, in footer order.
pub async fn all(db: &impl ConnectionTrait, defaults: &Defaults) -> Result<Vec<SitePageContent>, sea_orm::DbErr> {
    let mut pages = Vec::with_capacity(SitePage::ALL.len());
    for page in SitePage::ALL {
        pages.push(find(db, defaults, page).await?);
    }
    Ok(pages)
}

/// A page as the programme office words it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SitePageInput {
    pub title: String,
    pub body_markdown: String,
}

const MAX_TITLE_CHARS: usize = 200;
const MAX_BODY_CHARS: usize = 50_000;

impl SitePageInput {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim();
        if title.is_empty() {
            errors.add("title", "Vul een titel in.");
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.add("title", format!("Houd de titel korter dan {MAX_TITLE_CHARS} tekens."));
        }
        if self.body_markdown.trim().is_empty() {
            errors.add("body_markdown", "Vul de tekst van de pagina in.");
        } else if self.body_markdown.chars().count() > MAX_BODY_CHARS {
            errors.add("body_markdown", format!("Houd de tekst korter dan {MAX_BODY_CHARS} tekens."));
        }
        for (field, text) in [("title", &self.title), ("body_markdown", &self.body_markdown)] {
            if has_forbidden_chars(text) {
                errors.add(field, FORBIDDEN_CHARS_MESSAGE);
            }
        }
        errors.into_result()
    }
}

/// Stores the page's new wording; beheerders only, recorded in the audit log.
pub async fn save_as(
    db: &DatabaseConnection,
    actor: &Actor,
    page: SitePage,
    input: SitePageInput,
) -> Result<site_page::Model, EditError> {
    if !policy::can_manage_network(actor) {
        return Err(EditError::Forbidden);
    }
    input.validate().map_err(EditError::Invalid)?;
    let transaction = db::begin_write(db).await?;
    let title = input.title.trim().to_string();
    let saved = match site_page::Entity::find_by_id(page.slug()).one(&transaction).await? {
        Some(stored) => {
            let mut model = stored.into_active_model();
            model.title = Set(title);
            model.body_markdown = Set(input.body_markdown);
            model.updated_at = Set(Utc::now());
            model.updated_by = Set(actor.name.clone());
            model.update(&transaction).await?
        }
        None => {
            site_page::ActiveModel {
                slug: Set(page.slug().to_string()),
                title: Set(title),
                body_markdown: Set(input.body_markdown),
                updated_at: Set(Utc::now()),
                updated_by: Set(actor.name.clone()),
            }
            .insert(&transaction)
            .await?
        }
    };
    crate::audit::record(&transaction, actor, "bewerkt", "pagina", &saved.slug, saved.title.clone()).await?;
    transaction.commit().await?;
    Ok(saved)
}

const ACCESSIBILITY: &str = "\
Het programmabureau van het lerend netwerk Met Andere Ogen wil dat iedereen Oogst kan gebruiken, \
ook wie slecht ziet, alleen het toetsenbord gebruikt of een schermlezer heeft. We bouwen Oogst \
volgens de Europese norm EN 301 549 en de Web Content Accessibility Guidelines (WCAG) 2.1 op \
niveau A en AA, zoals de overheid voorschrijft.

## Status

Oogst voldoet gedeeltelijk aan de eisen. We hebben de site nog niet laten onderzoeken door een \
onafhankelijke partij; we testen zelf, met het toetsenbord, een schermlezer en geautomatiseerde \
controles.

## Wat nog niet toegankelijk is

- Documenten die organisaties uploaden (PDF, Word, PowerPoint) maken zij zelf. Die zijn niet \
altijd toegankelijk, bijvoorbeeld scans zonder tekst. De tekst van zo'n document is dan niet \
doorzoekbaar en niet voor te lezen.

## Een probleem melden

Kunt u iets op Oogst niet gebruiken, of loopt u tegen een drempel aan? Laat het ons weten: \
vertel op welke pagina en wat er misgaat. {contact} U krijgt binnen vijf werkdagen antwoord, \
en we vertellen u wat we eraan doen en wanneer.

Bent u niet tevreden over hoe we uw melding behandelen? Dan kunt u contact opnemen met de \
Nationale ombudsman.

## Datum

Deze verklaring is opgesteld op 1 december 2026. We werken haar bij als er iets verandert en \
in elk geval eens per jaar.
";

const PRIVACY: &str = "\
Het programmabureau van het lerend netwerk Met Andere Ogen beheert Oogst en is \
verantwoordelijk voor de persoonsgegevens die Oogst verwerkt. We gaan zorgvuldig met die \
gegevens om en houden ons aan de Algemene verordening gegevensbescherming (AVG).

## Welke gegevens en waarom

- **Accounts**: van contactpersonen en leden bewaren we naam, e-mailadres, functie, \
organisatie en rol, en een versleuteld wachtwoord. Die zijn nodig om in te loggen en om \
praktijken aan de juiste organisatie te koppelen. Grondslag: de uitvoering van de taak van \
het lerend netwerk (algemeen belang).
- **Profielen**: wat u zelf in uw profiel over uzelf vertelt, zoals functie, werkgebied, \
expertise, een korte tekst, talen en of u sparringpartner wilt zijn. U kiest per onderdeel wie \
het ziet. In de ledenlijst staat u alleen als u daarvoor kiest; we bewaren wanneer u dat \
koos. Uw e-mailadres ziet alleen het programmabureau. Grondslag: uw toestemming.
- **Aanmeldingen voor bijeenkomsten**: naam, e-mailadres, organisatie en de gekozen \
workshops. Die hebben we nodig om plaatsen te reserveren, u te bevestigen en u te laten \
weten als er iets verandert. Grondslag: uw aanmelding, met uw toestemming.
- **Contactgegevens bij praktijken**: naam, functie en e-mailadres van de contactpersoon die \
de organisatie zelf vermeldt, zodat anderen kunnen vragen hoe de praktijk werkt. Het \
e-mailadres tonen we alleen als de organisatie daarvoor kiest.
- **Berichten via Oogst**: een bericht dat een lid via Oogst aan een ander lid of aan een \
praktijk stuurt, bewaren we alleen tot het bezorgd is. Daarna houden we alleen bij wie het \
stuurde, aan wie en wanneer, zodat we misbruik kunnen tegengaan.
- **E-mail**: we bewaren de berichten die Oogst verstuurt (bevestigingen, herinneringen, \
uitnodigingen) zolang dat nodig is om ze te bezorgen.
- **Logboek**: wie welke wijziging deed, zodat we fouten kunnen herstellen.

Oogst plaatst alleen cookies die nodig zijn om in te loggen en formulieren veilig te \
versturen. We volgen u niet en gebruiken geen cookies van anderen.

## Hoe lang we gegevens bewaren

- Aanmeldingen voor een bijeenkomst verwijderen we {retention_days} dagen na de bijeenkomst.
- Een account bewaren we zolang u het gebruikt; vraag ons het te verwijderen als u het niet \
meer nodig hebt.

## Met wie we gegevens delen

Alleen met de organisator van een bijeenkomst waarvoor u zich aanmeldt, en met de partijen \
die Oogst voor ons hosten en de e-mail bezorgen. Met hen hebben we afspraken over \
beveiliging en geheimhouding. We verkopen geen gegevens.

## Uw rechten

U mag de gegevens inzien die we van u hebben, ze laten verbeteren of verwijderen, bezwaar \
maken tegen het gebruik en uw toestemming intrekken. {contact} We reageren binnen een maand. \
Bent u het niet eens met hoe we met uw gegevens omgaan? Dan kunt u een klacht indienen bij de \
Autoriteit Persoonsgegevens.
";

const CONTACT: &str = "\
Oogst is het kennisplatform van het lerend netwerk Met Andere Ogen. Het programmabureau \
beheert de site, nodigt organisaties uit en organiseert de bijeenkomsten in de agenda.

## Vragen over Oogst

{contact}

- Over een **praktijk**: neem contact op met de contactpersoon die bij de praktijk staat; die \
weet er het meest van.
- Over een **bijeenkomst** of uw aanmelding: elke mail over uw aanmelding heeft een link \
waarmee u zich zonder in te loggen afmeldt.
- Over **toegankelijkheid** of **privacy**: lees de \
[toegankelijkheidsverklaring](/toegankelijkheid) en de [privacyverklaring](/privacy).
";

/// When an account is deleted: pages its person saved last name `pseudonym` instead. Pages
/// keep the editor's name only, so the name is what is matched.
pub async fn forget_editor(db: &impl ConnectionTrait, name: &str, pseudonym: &str) -> Result<(), DbErr> {
    site_page::Entity::update_many()
        .col_expr(site_page::Column::UpdatedBy, Expr::value(pseudonym))
        .filter(site_page::Column::UpdatedBy.eq(name))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults(contact: Option<&str>) -> Defaults {
        Defaults { registration_retention_days: 30, contact_address: contact.map(str::to_string) }
    }

    #[test]
    fn the_privacy_statement_names_the_configured_retention() {
        let body = defaults(None).body(SitePage::Privacy);
        assert!(body.contains("verwijderen we 30 dagen na de bijeenkomst"), "{body}");
    }

    #[test]
    fn default_texts_leave_no_placeholder_behind() {
        for contact in [None, Some("Programmabureau <info@example.nl>")] {
            for page in SitePage::ALL {
                let body = defaults(contact).body(page);
                assert!(!body.contains('{'), "{page:?}: {body}");
            }
        }
    }

    #[test]
    fn the_reply_address_becomes_a_mail_link() {
        let body = defaults(Some("Programmabureau <info@example.nl>")).body(SitePage::Contact);
        assert!(body.contains("[info@example.nl](mailto:info@example.nl)"), "{body}");
    }

    #[test]
    fn input_with_control_characters_or_without_text_is_refused() {
        let errors = SitePageInput { title: "Privacy\u{1b}".into(), body_markdown: " ".into() }.validate().unwrap_err();
        assert_eq!(errors.first("title"), Some(FORBIDDEN_CHARS_MESSAGE));
        assert_eq!(errors.first("body_markdown"), Some("Vul de tekst van de pagina in."));
    }
}
