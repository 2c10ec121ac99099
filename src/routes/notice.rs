//! One-time messages after an action ("De praktijk is gepubliceerd."), carried across the
//! redirect in a short-lived cookie and shown once by the page that follows. The cookie holds
//! a key from this list, never text, so nobody can make the site say something else.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse};
use strum::{EnumString, IntoStaticStr};

use crate::taxonomy::PracticeStatus;

pub const NOTICE_COOKIE: &str = "oogst_notice";

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Notice {
    SavedAsConcept,
    Published,
    Archived,
    VersionRestored,
    PasswordSet,
    InvitationSent,
    OrganisationSaved,
    ThemeSaved,
    PageSaved,
    CallSaved,
    ApplicationLinkSent,
    DraftSaved,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    AttachmentAdded,
    AttachmentRemoved,
    ReviewSaved,
    ReviewSubmitted,
    ConflictDeclared,
    ReviewersChanged,
    NewsSaved,
    EventSaved,
    EventCalledOff,
    DocumentUploaded,
    RoleChanged,
    MailRetried,
    AttendanceSaved,
    MessageQueued,
    LoggedOut,
    ProfileSaved,
    ProfileHidden,
    ProfileShown,
    AccountDeleted,
    InvitationsSent,
    AccountDeletedByOffice,
    ContactSent,
    ContactSettingSaved,
    QuestionEntered,
    QuestionHandled,
    ExpertsAsked,
    QuestionAnswered,
    QuestionPublished,
    QuestionWithdrawn,
}

impl Notice {
    /// What the person reads.
    pub fn text(self) -> &'static str {
        match self {
            Notice::SavedAsConcept => "De praktijk is opgeslagen als concept. Alleen u en uw collega's zien haar.",
            Notice::Published => "De praktijk is gepubliceerd en voor iedereen te vinden.",
            Notice::Archived => "De praktijk is gearchiveerd en niet meer openbaar.",
            Notice::VersionRestored => "De eerdere versie is teruggezet.",
            Notice::PasswordSet => "Uw wachtwoord is ingesteld. U kunt nu inloggen.",
            Notice::InvitationSent => "De uitnodiging is verstuurd.",
            Notice::OrganisationSaved => "De organisatie is opgeslagen.",
            Notice::ThemeSaved => "Het thema is opgeslagen.",
            Notice::PageSaved => "De pagina is opgeslagen.",
            Notice::CallSaved => "De oproep is opgeslagen.",
            Notice::ApplicationLinkSent => "We hebben u een mail gestuurd met een persoonlijke link naar uw aanmelding. Kijk ook in uw map met ongewenste mail.",
            Notice::DraftSaved => "Uw concept is opgeslagen. U kunt later verder met de link uit uw mail.",
            Notice::ApplicationSubmitted => {
                "Uw aanmelding is ingediend. U krijgt een bevestiging met een kopie per mail."
            }
            Notice::ApplicationWithdrawn => "Uw aanmelding is ingetrokken. U krijgt een bevestiging per mail.",
            Notice::AttachmentAdded => "De bijlage is toegevoegd aan uw aanmelding.",
            Notice::AttachmentRemoved => "De bijlage is verwijderd.",
            Notice::ReviewSaved => "Uw beoordeling is opgeslagen als concept.",
            Notice::ReviewSubmitted => "Uw beoordeling is ingediend. U ziet nu ook de scores van de anderen.",
            Notice::ConflictDeclared => "Uw belang is gemeld: u beoordeelt deze aanmelding niet.",
            Notice::ReviewersChanged => "De beoordelaars zijn bijgewerkt.",
            Notice::NewsSaved => "Het nieuwsbericht is opgeslagen.",
            Notice::EventSaved => "De bijeenkomst is opgeslagen.",
            Notice::EventCalledOff => "De bijeenkomst is afgelast; wie zich had aangemeld krijgt bericht.",
            Notice::DocumentUploaded => "Het document is geüpload.",
            Notice::RoleChanged => "De rol is gewijzigd.",
            Notice::MailRetried => "De e-mail wordt opnieuw verstuurd.",
            Notice::AttendanceSaved => "De aanwezigheid is opgeslagen.",
            Notice::MessageQueued => "Het bericht staat klaar om verstuurd te worden.",
            Notice::LoggedOut => "U bent uitgelogd.",
            Notice::ProfileSaved => "Het profiel is opgeslagen.",
            Notice::ProfileHidden => "Het profiel staat niet meer in de ledenlijst.",
            Notice::ProfileShown => "Het profiel staat weer in de ledenlijst, als de eigenaar dat wil.",
            Notice::InvitationsSent => "De uitnodigingen zijn verstuurd aan iedereen die er nog geen had gekregen.",
            Notice::AccountDeleted => "Uw account en profiel zijn verwijderd. Bedankt dat u meedeed aan het netwerk.",
            Notice::AccountDeletedByOffice => "Het account en het profiel zijn verwijderd.",
            Notice::ContactSent => {
                "Uw bericht is verstuurd. Antwoordt de ontvanger, dan komt het antwoord in uw eigen mailbox."
            }
            Notice::ContactSettingSaved => "Uw keuze voor berichten via Oogst is opgeslagen.",
            Notice::QuestionEntered => "De vraag is ingevoerd; de vrager krijgt een ontvangstbevestiging.",
            Notice::QuestionHandled => "De behandeling van de vraag is opgeslagen.",
            Notice::QuestionPublished => "De vraag staat in het openbare archief.",
            Notice::QuestionWithdrawn => "De vraag is uit het openbare archief gehaald.",
            Notice::QuestionAnswered => "Het antwoord is naar de vrager gemaild.",
            Notice::ExpertsAsked => "De gekozen experts hebben een verzoek per e-mail gekregen.",
        }
    }

    /// What saving a practice with this status did.
    pub fn for_practice(status: PracticeStatus) -> Notice {
        match status {
            PracticeStatus::Concept => Notice::SavedAsConcept,
            PracticeStatus::Gepubliceerd => Notice::Published,
            PracticeStatus::Gearchiveerd => Notice::Archived,
        }
    }

    /// The notice the request carries, if any.
    pub fn of(request: &HttpRequest) -> Option<Notice> {
        request.cookie(NOTICE_COOKIE).and_then(|cookie| cookie.value().parse().ok())
    }
}

/// Goes to `location` (303 See Other), where the notice is shown once.
pub fn see_other_with(location: &str, notice: Notice) -> HttpResponse {
    let key: &'static str = notice.into();
    let cookie = Cookie::build(NOTICE_COOKIE, key)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::minutes(1))
        .finish();
    HttpResponse::SeeOther().insert_header((LOCATION, location.to_string())).cookie(cookie).finish()
}

/// Removes the notice once a page has shown it.
pub fn shown() -> Cookie<'static> {
    let mut cookie = Cookie::build(NOTICE_COOKIE, "").path("/").finish();
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_unknown_keys_say_nothing() {
        let key: &'static str = Notice::PasswordSet.into();
        assert_eq!(key, "password-set");
        assert_eq!(key.parse::<Notice>(), Ok(Notice::PasswordSet));
        assert!("<script>".parse::<Notice>().is_err());
    }
}
