//! The account page, inviting colleagues, and the programme office's beheer pages:
//! people, organisations, themes, the mail queue and the audit log.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::{form_again, form_page, page, see_other_with, Notice};
use crate::accounts::{self, NewUser, PersonView};
use crate::actor::{policy, Actor, Role};
use crate::audit;
use crate::mail;
use crate::organisations::{self, OrganisationInput};
use crate::pagination::{PageLinks, PageParams, PageRequest};
use crate::routes::auth::Viewer;
use crate::routes::errors::{PageError, RouteError};
use crate::routes::AppState;
use crate::taxonomy::{self, NetworkRole, OrganisationKind, Taxonomy, ThemeInput, PROVINCES};
use crate::validation::EditError;
use crate::vocabulary::Vocabulary;

/// Renders the form again with the messages (422), or passes other errors on.
pub(super) fn invalid_again(
    request: &HttpRequest,
    state: &AppState,
    template: &str,
    actor: Actor,
    mut data: serde_json::Value,
    error: EditError,
) -> Result<HttpResponse, PageError> {
    let EditError::Invalid(errors) = error else { return Err(error.into()) };
    data["errors"] = serde_json::to_value(errors).unwrap_or_default();
    form_again(request, state, template, &Viewer(Some(actor)), data)
}

/// The id of the organisation a form names by slug; none for an empty choice.
async fn organisation_id(state: &AppState, slug: &str) -> Result<Option<i32>, PageError> {
    match slug.trim() {
        "" => Ok(None),
        slug => Ok(organisations::find_by_slug(&state.db, slug).await?.map(|found| found.id)),
    }
}

#[get("/account")]
pub async fn account(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    let organisation = match actor.organisation_id {
        Some(id) => entity::organisation::Entity::find_by_id(id).one(&state.db).await?.map(|found| found.name),
        None => None,
    };
    let data = serde_json::json!({
        "page_title": "Mijn account",
        "role_label": actor.role.label(),
        "organisation": organisation,
        "can_edit": policy::can_edit_some_practices(&actor),
        "can_manage": policy::can_manage_network(&actor),
        "can_review": policy::can_review(&actor),
    });
    page("admin/account", &Viewer(Some(actor)), data)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    name: String,
    job_title: String,
    role: String,
    organisation: String,
    csrf: String,
}

async fn invite_data(state: &AppState, actor: &Actor, form: &InviteForm) -> Result<serde_json::Value, PageError> {
    let organisations = crate::practices::editing::organisations_for(&state.db, actor).await?;
    let roles: Vec<_> = Role::slugs()
        .into_iter()
        .filter(|slug| {
            Role::from_slug(slug).is_some_and(|role| policy::can_invite(actor, role, actor.organisation_id.or(Some(0))))
        })
        .map(|slug| serde_json::json!({"slug": slug, "name": Role::label_of(slug), "selected": form.role == slug}))
        .collect();
    Ok(serde_json::json!({
        "page_title": "Iemand uitnodigen",
        "form": { "email": form.email, "name": form.name, "job_title": form.job_title },
        "roles": roles,
        "organisations": organisations.iter().map(|organisation| serde_json::json!({
            "slug": organisation.slug, "name": organisation.name, "selected": organisation.slug == form.organisation,
        })).collect::<Vec<_>>(),
        "may_choose_none": policy::can_manage_network(actor),
    }))
}

#[get("/uitnodigen")]
pub async fn invite_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_edit_some_practices)?;
    let data = invite_data(&state, &actor, &InviteForm { role: Role::Lid.slug().into(), ..Default::default() }).await?;
    form_page(&request, &state, "admin/invite", &Viewer(Some(actor)), data)
}

#[post("/uitnodigen")]
pub async fn invite(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.required()?;
    state.csrf.verify(&request, &form.csrf)?;
    let organisation_id = organisation_id(&state, &form.organisation).await?;
    let new = NewUser {
        email: form.email.clone(),
        name: form.name.clone(),
        role: Role::from_slug(&form.role).unwrap_or(Role::Lid),
        organisation_id,
        job_title: form.job_title.clone(),
    };
    match accounts::invite(&state.db, &state.mail, &actor, &new).await {
        Ok(_) => Ok(see_other_with("/uitnodigen", Notice::InvitationSent)),
        Err(accounts::AccountError::Invalid(errors)) => {
            let data = invite_data(&state, &actor, &form).await?;
            invalid_again(&request, &state, "admin/invite", actor, data, EditError::Invalid(errors))
        }
        Err(other) => Err(other.into()),
    }
}

#[get("/beheer")]
pub async fn dashboard(viewer: Viewer) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    page("admin/dashboard", &Viewer(Some(actor)), serde_json::json!({ "page_title": "Beheer" }))
}

#[get("/beheer/mensen")]
pub async fn people(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let everyone = accounts::list(&state.db, &actor).await?;
    let organisations = crate::practices::editing::organisations_for(&state.db, &actor).await?;
    let rows: Vec<_> = everyone
        .into_iter()
        .map(|person| {
            let options: Vec<_> = organisations
                .iter()
                .map(|organisation| serde_json::json!({
                    "slug": organisation.slug, "name": organisation.name,
                    "selected": Some(organisation.id) == person.organisation_id,
                }))
                .collect();
            let roles: Vec<_> = Role::slugs()
                .into_iter()
                .map(|slug| serde_json::json!({"slug": slug, "name": Role::label_of(slug), "selected": slug == person.role}))
                .collect();
            serde_json::json!({ "person": person, "role_label": Role::label_of(&person.role), "roles": roles, "organisations": options, "is_me": person.id == actor.user_id })
        })
        .collect();
    form_page(
        &request,
        &state,
        "admin/people",
        &Viewer(Some(actor)),
        serde_json::json!({ "page_title": "Mensen", "people": rows }),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    role: String,
    organisation: String,
    csrf: String,
}

#[post("/beheer/mensen/{id}/rol")]
pub async fn change_role(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<i32>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let role = Role::from_slug(&form.role).ok_or_else(|| RouteError::BadRequest("Onbekende rol.".into()))?;
    let organisation_id = organisation_id(&state, &form.organisation).await?;
    accounts::change_role(&state.db, &actor, *id, role, organisation_id).await?;
    Ok(see_other_with("/beheer/mensen", Notice::RoleChanged))
}

#[get("/beheer/organisaties")]
pub async fn organisations_list(
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let request = PageRequest::parse(&params, 50)?;
    let found = organisations::list(&state.db, request).await?;
    let pages =
        PageLinks::new(request.page, request.per_page, found.total, |page| format!("/beheer/organisaties?page={page}"));
    page(
        "admin/organisations",
        &Viewer(Some(actor)),
        serde_json::json!({ "page_title": "Organisaties beheren", "items": found.items, "pages": pages }),
    )
}

/// The organisation form; `contact` is the chosen "vast contactpersoon" among `beheerders`.
fn organisation_data(
    input: &OrganisationInput,
    existing: Option<&str>,
    beheerders: &[PersonView],
    contact: Option<i32>,
) -> serde_json::Value {
    serde_json::json!({
        "contacts": beheerders.iter().map(|person| serde_json::json!({"id": person.id, "name": person.name, "selected": contact == Some(person.id)})).collect::<Vec<_>>(),
        "page_title": if existing.is_some() { "Organisatie bewerken" } else { "Nieuwe organisatie" },
        "action": existing.map(|slug| format!("/beheer/organisaties/{slug}")).unwrap_or_else(|| "/beheer/organisaties/nieuw".into()),
        "form": input,
        "municipalities_text": input.municipalities.join(", "),
        "kinds": OrganisationKind::slugs().iter().map(|slug| serde_json::json!({"slug": slug, "name": OrganisationKind::label_of(slug), "selected": input.kind == *slug})).collect::<Vec<_>>(),
        "roles": NetworkRole::slugs().iter().map(|slug| serde_json::json!({"slug": slug, "name": NetworkRole::label_of(slug), "selected": input.network_role == *slug})).collect::<Vec<_>>(),
        "provinces": PROVINCES.iter().map(|name| serde_json::json!({"name": name, "selected": input.province.as_deref() == Some(*name)})).collect::<Vec<_>>(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrganisationForm {
    slug: String,
    name: String,
    kind: String,
    province: String,
    municipalities: String,
    website: String,
    description: String,
    network_role: String,
    tranche: String,
    /// The id of the beheerder who is the "vast contactpersoon"; empty for none.
    network_contact: String,
    csrf: String,
}

impl OrganisationForm {
    fn input(&self) -> OrganisationInput {
        OrganisationInput {
            slug: if self.slug.trim().is_empty() { slug::slugify(&self.name) } else { self.slug.trim().to_string() },
            name: self.name.clone(),
            kind: self.kind.clone(),
            province: Some(self.province.clone()).filter(|province| !province.is_empty()),
            municipalities: self
                .municipalities
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_string)
                .collect(),
            website: Some(self.website.trim().to_string()).filter(|website| !website.is_empty()),
            description: self.description.clone(),
            network_role: self.network_role.clone(),
            tranche: self.tranche.trim().parse().ok(),
        }
    }

    fn network_contact(&self) -> Option<i32> {
        self.network_contact.trim().parse().ok()
    }
}

/// The beheerders, one of whom may be an organisation's "vast contactpersoon".
async fn beheerders(state: &AppState, actor: &Actor) -> Result<Vec<PersonView>, PageError> {
    let everyone = accounts::list(&state.db, actor).await?;
    Ok(everyone.into_iter().filter(|person| person.role == Role::Beheerder.slug() && person.active).collect())
}

#[get("/beheer/organisaties/nieuw")]
pub async fn organisation_new(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let input = OrganisationInput {
        slug: String::new(),
        name: String::new(),
        kind: OrganisationKind::Gemeente.slug().into(),
        province: None,
        municipalities: Vec::new(),
        website: None,
        description: String::new(),
        network_role: NetworkRole::Aandeelhouder.slug().into(),
        tranche: None,
    };
    let data = organisation_data(&input, None, &beheerders(&state, &actor).await?, None);
    form_page(&request, &state, "admin/organisation", &Viewer(Some(actor)), data)
}

#[get("/beheer/organisaties/{slug}")]
pub async fn organisation_edit(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let found = organisations::find_by_slug(&state.db, &slug)
        .await?
        .ok_or_else(|| RouteError::NotFound("Deze organisatie bestaat niet.".into()))?;
    let input = OrganisationInput::from_model(&found);
    let data =
        organisation_data(&input, Some(&slug), &beheerders(&state, &actor).await?, found.network_contact_user_id);
    form_page(&request, &state, "admin/organisation", &Viewer(Some(actor)), data)
}

#[post("/beheer/organisaties/{slug}")]
pub async fn organisation_save(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<OrganisationForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let existing = (slug.as_str() != "nieuw").then_some(slug.as_str());
    let input = form.input();
    let contact = form.network_contact();
    match organisations::save_as(&state.db, &actor, existing, input.clone(), contact).await {
        Ok(saved) => Ok(see_other_with(&format!("/organisaties/{}", saved.slug), Notice::OrganisationSaved)),
        Err(error) => {
            let data = organisation_data(&input, existing, &beheerders(&state, &actor).await?, contact);
            invalid_again(&request, &state, "admin/organisation", actor, data, error)
        }
    }
}

#[get("/beheer/themas")]
pub async fn themes_list(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let taxonomy = Taxonomy::load(&state.db).await?;
    let themes: Vec<_> =
        taxonomy.themes.iter().map(|theme| serde_json::json!({"slug": theme.slug, "name": theme.name})).collect();
    page("admin/themes", &Viewer(Some(actor)), serde_json::json!({ "page_title": "Thema's beheren", "themes": themes }))
}

fn theme_data(input: &ThemeInput, existing: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "page_title": if existing.is_some() { "Thema bewerken" } else { "Nieuw thema" },
        "action": format!("/beheer/themas/{}", existing.unwrap_or("nieuw")),
        "form": input,
    })
}

#[get("/beheer/themas/{slug}")]
pub async fn theme_edit(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let (input, existing) = if slug.as_str() == "nieuw" {
        (ThemeInput::default(), None)
    } else {
        let taxonomy = Taxonomy::load(&state.db).await?;
        let theme = taxonomy
            .themes
            .into_iter()
            .find(|theme| theme.slug == *slug)
            .ok_or_else(|| RouteError::NotFound("Dit thema bestaat niet.".into()))?;
        (ThemeInput { slug: theme.slug, name: theme.name, description: theme.description }, Some(slug.as_str()))
    };
    form_page(&request, &state, "admin/theme", &Viewer(Some(actor)), theme_data(&input, existing))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThemeForm {
    slug: String,
    name: String,
    description: String,
    csrf: String,
}

#[post("/beheer/themas/{slug}")]
pub async fn theme_save(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<ThemeForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    let existing = (slug.as_str() != "nieuw").then_some(slug.as_str());
    let input = ThemeInput {
        slug: if form.slug.trim().is_empty() { slug::slugify(&form.name) } else { form.slug.trim().to_string() },
        name: form.name.clone(),
        description: form.description.clone(),
    };
    match taxonomy::save_theme_as(&state.db, &actor, existing, input.clone()).await {
        Ok(saved) => Ok(see_other_with(&format!("/themas/{}", saved.slug), Notice::ThemeSaved)),
        Err(error) => invalid_again(&request, &state, "admin/theme", actor, theme_data(&input, existing), error),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueParams {
    status: String,
    page: Option<String>,
}

#[get("/beheer/mail")]
pub async fn mail_queue(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<QueueParams>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let status =
        [mail::PENDING, mail::SENDING, mail::SENT, mail::FAILED].into_iter().find(|status| *status == params.status);
    let page_request = PageRequest::parse(&PageParams { page: params.page.clone(), per_page: None }, 50)?;
    let found = mail::queue(&state.db, status, page_request).await?;
    let filter = status.unwrap_or("");
    let pages = PageLinks::new(page_request.page, page_request.per_page, found.total, |page| {
        format!("/beheer/mail?status={filter}&page={page}")
    });
    form_page(
        &request,
        &state,
        "admin/mail",
        &Viewer(Some(actor)),
        serde_json::json!({ "page_title": "Mailwachtrij", "items": found.items, "total": found.total, "status": filter, "pages": pages }),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

#[post("/beheer/mail/{id}/opnieuw")]
pub async fn mail_retry(
    request: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<i32>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    state.csrf.verify(&request, &form.csrf)?;
    if mail::worker::retry(&state.db, *id).await? {
        audit::record(
            &state.db,
            &actor,
            "opnieuw verstuurd",
            "mail",
            &id.to_string(),
            "mislukte mail opnieuw in de wachtrij",
        )
        .await?;
    }
    Ok(see_other_with("/beheer/mail?status=pending", Notice::MailRetried))
}

#[get("/beheer/logboek")]
pub async fn audit_log(
    state: web::Data<AppState>,
    viewer: Viewer,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let actor = viewer.allowed(policy::can_manage_network)?;
    let request = PageRequest::parse(&params, 50)?;
    let found = audit::list(&state.db, request).await?;
    let pages =
        PageLinks::new(request.page, request.per_page, found.total, |page| format!("/beheer/logboek?page={page}"));
    page(
        "admin/audit",
        &Viewer(Some(actor)),
        serde_json::json!({ "page_title": "Logboek", "items": found.items, "pages": pages }),
    )
}
