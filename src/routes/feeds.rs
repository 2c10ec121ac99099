//! Atom feeds (RFC 4287) of news and of newly published practices.

use actix_web::{get, web, HttpResponse};
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{DateTime, Utc};

use super::errors::PageError;
use crate::news;
use crate::pagination::PageRequest;
use crate::practices::{self, Listing};
use crate::routes::AppState;

const ENTRIES: u64 = 30;

fn time(moment: DateTime<Utc>) -> FixedDateTime {
    moment.fixed_offset()
}

fn link(href: String, rel: &str) -> Link {
    Link { href, rel: rel.into(), mime_type: Some("text/html".into()), ..Default::default() }
}

struct FeedEntry {
    url: String,
    title: String,
    summary: String,
    author: String,
    updated: DateTime<Utc>,
}

fn feed(state: &AppState, path: &str, title: &str, entries: Vec<FeedEntry>) -> HttpResponse {
    let base = state.config.public_url();
    let updated = entries.iter().map(|entry| entry.updated).max().unwrap_or_else(Utc::now);
    let mut self_link = link(format!("{base}{path}"), "self");
    self_link.mime_type = Some("application/atom+xml".into());
    let feed = Feed {
        id: format!("{base}{path}"),
        title: Text::plain(title),
        updated: time(updated),
        links: vec![self_link, link(format!("{base}/"), "alternate")],
        authors: vec![Person { name: "Oogst".into(), ..Default::default() }],
        entries: entries
            .into_iter()
            .map(|entry| Entry {
                id: format!("{base}{}", entry.url),
                title: Text::plain(entry.title),
                updated: time(entry.updated),
                published: Some(time(entry.updated)),
                authors: vec![Person { name: entry.author, ..Default::default() }],
                links: vec![link(format!("{base}{}", entry.url), "alternate")],
                summary: Some(Text::plain(entry.summary)),
                content: None::<Content>,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    HttpResponse::Ok().content_type("application/atom+xml; charset=utf-8").body(feed.to_string())
}

#[get("/nieuws.atom")]
pub async fn news_feed(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let latest = news::list_published(&state.db, PageRequest { page: 1, per_page: ENTRIES }).await?;
    let entries = latest
        .items
        .into_iter()
        .map(|item| FeedEntry {
            url: item.url,
            title: item.title,
            summary: item.summary,
            author: "Programmabureau".into(),
            updated: item.published_at,
        })
        .collect();
    Ok(feed(&state, "/nieuws.atom", "Oogst: nieuws", entries))
}

#[get("/praktijken.atom")]
pub async fn practices_feed(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let latest = practices::list_published(&state.db, Listing::All, PageRequest { page: 1, per_page: ENTRIES }).await?;
    let entries = latest
        .items
        .into_iter()
        .map(|card| FeedEntry {
            url: card.url,
            title: card.title,
            summary: card.summary,
            author: card.organisation,
            updated: card.published_at.unwrap_or_else(Utc::now),
        })
        .collect();
    Ok(feed(&state, "/praktijken.atom", "Oogst: nieuwe praktijken", entries))
}
