//! sea-orm entities: the tables as the database sees them.
//! Rules about what may be stored live in the `oogst` crate's domain modules.

pub mod advice;
pub mod application;
pub mod application_attachment;
pub mod audit_log;
pub mod call;
pub mod call_reviewer;
pub mod contact_block;
pub mod contact_log;
pub mod document;
pub mod event;
pub mod mail_outbox;
pub mod news;
pub mod one_time_token;
pub mod organisation;
pub mod practice;
pub mod practice_advice;
pub mod practice_theme;
pub mod practice_version;
pub mod profile;
pub mod programme_item;
pub mod question;
pub mod question_followup;
pub mod question_introduction;
pub mod question_practice;
pub mod question_reply;
pub mod question_theme;
pub mod registration;
pub mod registration_choice;
pub mod review;
pub mod search_outbox;
pub mod session;
pub mod site_page;
pub mod theme;
pub mod user;
