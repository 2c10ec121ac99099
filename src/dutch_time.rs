//! Times as people in the Netherlands type and read them: local Dutch time, summer time
//! included, stored in UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Europe::Amsterdam;

use crate::validation::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    #[error("Geef de tijd op als JJJJ-MM-DDTUU:MM.")]
    Format,
    /// The hour skipped on the day summer time starts.
    #[error(
        "Dit tijdstip bestaat niet: op {} gaat de klok van 2:00 naar 3:00 (zomertijd).",
        crate::templates::dutch_day(*.0)
    )]
    SummerTimeGap(NaiveDate),
}

/// A local (Dutch) time as typed in a form: `YYYY-MM-DDTHH:MM` or `YYYY-MM-DD HH:MM`,
/// or an RFC 3339 time.
pub fn parse_local(text: &str) -> Result<DateTime<Utc>, LocalTimeError> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .map_err(|_| LocalTimeError::Format)?;
    in_dutch_time(local)
}

/// In the autumn hour that occurs twice, the first is meant; the spring hour that is
/// skipped does not exist.
pub fn in_dutch_time(local: NaiveDateTime) -> Result<DateTime<Utc>, LocalTimeError> {
    local
        .and_local_timezone(Amsterdam)
        .earliest()
        .map(|time| time.with_timezone(&Utc))
        .ok_or(LocalTimeError::SummerTimeGap(local.date()))
}

/// A UTC time as a form shows it again, in Dutch time.
pub fn local_input(time: DateTime<Utc>) -> String {
    time.with_timezone(&Amsterdam).format("%Y-%m-%dT%H:%M").to_string()
}

/// The time typed in `field`, or its error: `format_hint` when it is no time at all.
pub fn checked_time(errors: &mut FieldErrors, field: &str, text: &str, format_hint: &str) -> Option<DateTime<Utc>> {
    match parse_local(text) {
        Ok(time) => Some(time),
        Err(LocalTimeError::Format) => {
            errors.add(field, format_hint);
            None
        }
        Err(gap) => {
            errors.add(field, gap.to_string());
            None
        }
    }
}

/// "maandag 29 maart 2027, 12:00": a moment as Dutch readers write it, in Dutch time.
pub fn moment(time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&Amsterdam);
    format!("{}, {}", crate::templates::dutch_day(local.date_naive()), local.format("%H:%M"))
}

/// How long until `until`, as a countdown reads: "nog 13 dagen en 4 uur", "nog 3 uur en
/// 20 minuten", "nog 5 minuten"; none when it has passed.
pub fn countdown(now: DateTime<Utc>, until: DateTime<Utc>) -> Option<String> {
    let left = until - now;
    if left <= chrono::Duration::zero() {
        return None;
    }
    let (days, hours, minutes) = (left.num_days(), left.num_hours() % 24, (left.num_minutes() % 60).max(1));
    let plural = |count: i64, one: &str, more: &str| format!("{count} {}", if count == 1 { one } else { more });
    Some(match (days, hours) {
        (0, 0) => format!("nog {}", plural(minutes, "minuut", "minuten")),
        (0, _) => format!("nog {} en {}", plural(hours, "uur", "uur"), plural(minutes, "minuut", "minuten")),
        _ => format!("nog {} en {}", plural(days, "dag", "dagen"), plural(hours, "uur", "uur")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_and_countdowns_read_as_people_write_them() {
        let deadline = parse_local("2027-03-29T12:00").unwrap();
        assert_eq!(moment(deadline), "maandag 29 maart 2027, 12:00");
        let hours = chrono::Duration::hours;
        assert_eq!(countdown(deadline - hours(24 * 13 + 4), deadline).unwrap(), "nog 13 dagen en 4 uur");
        assert_eq!(countdown(deadline - hours(25), deadline).unwrap(), "nog 1 dag en 1 uur");
        let minutes = chrono::Duration::minutes;
        assert_eq!(countdown(deadline - minutes(200), deadline).unwrap(), "nog 3 uur en 20 minuten");
        assert_eq!(countdown(deadline - chrono::Duration::seconds(30), deadline).unwrap(), "nog 1 minuut");
        assert_eq!(countdown(deadline, deadline), None);
    }

    #[test]
    fn dutch_time_in_winter_and_summer() {
        assert_eq!(parse_local("2027-03-27T13:30").unwrap().to_rfc3339(), "2027-03-27T12:30:00+00:00");
        assert_eq!(parse_local("2027-03-29T13:30").unwrap().to_rfc3339(), "2027-03-29T11:30:00+00:00");
        assert_eq!(local_input(parse_local("2027-10-31 09:00").unwrap()), "2027-10-31T09:00");
        assert_eq!(parse_local("morgen"), Err(LocalTimeError::Format));
    }

    #[test]
    fn the_hour_skipped_for_summer_time_is_explained() {
        let gap = parse_local("2027-03-28T02:30").unwrap_err();
        assert_eq!(
            gap.to_string(),
            "Dit tijdstip bestaat niet: op zondag 28 maart 2027 gaat de klok van 2:00 naar 3:00 (zomertijd)."
        );
        assert_eq!(parse_local("2027-03-28T03:00").unwrap().to_rfc3339(), "2027-03-28T01:00:00+00:00");
        // In the autumn hour that occurs twice, the first (still summer time) is meant.
        assert_eq!(parse_local("2027-10-31T02:30").unwrap().to_rfc3339(), "2027-10-31T00:30:00+00:00");
    }
}
