//! `GET /admin/`: site totals, who is online, messages per day drawn as a server-side SVG,
//! database size, version and uptime.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, NaiveDate, Utc};
use minijinja::{Value, context};
use serde::Serialize;

use super::AdminUser;
use crate::domain::User;
use crate::frontend::error::AppError;
use crate::frontend::layout::base_context;
use crate::frontend::state::AppState;

/// How many days the chart covers, today included.
const CHART_DAYS: i64 = 30;
const CHART_WIDTH: u64 = 600;
const CHART_HEIGHT: u64 = 120;

/// What every admin page's layout needs, with `section` marked in the admin nav.
pub(super) fn admin_context(
    session: &Session,
    admin: &User,
    section: &str,
) -> Result<Value, AppError> {
    Ok(context! { admin_section => section, ..base_context(session, Some(admin))? })
}

/// One bar of the chart, already in SVG user units.
#[derive(Debug, Serialize, PartialEq, Eq)]
struct Bar {
    day: String,
    count: u64,
    x: u64,
    y: u64,
    width: u64,
    height: u64,
}

/// Lays out one bar per day from `first` for [`CHART_DAYS`] days; missing days are zero.
/// The tallest bar fills the chart; a day with messages is never drawn invisible.
fn bars(first: NaiveDate, counts: &[(NaiveDate, u64)]) -> Vec<Bar> {
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let slot = CHART_WIDTH / CHART_DAYS as u64;
    (0..CHART_DAYS)
        .filter_map(|offset| first.checked_add_signed(Duration::days(offset)))
        .enumerate()
        .map(|(index, day)| {
            let count = counts
                .iter()
                .find(|(d, _)| *d == day)
                .map_or(0, |(_, n)| *n);
            let mut height = count * CHART_HEIGHT / max;
            if count > 0 {
                height = height.max(2);
            }
            Bar {
                day: day.format("%Y-%m-%d").to_string(),
                count,
                x: index as u64 * slot + 1,
                y: CHART_HEIGHT - height,
                width: slot - 2,
                height,
            }
        })
        .collect()
}

/// "3d 4h 5m"-style, coarse enough to read at a glance.
fn uptime(elapsed: std::time::Duration) -> String {
    let minutes = elapsed.as_secs() / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days}d {hours}h {minutes}m")
    } else {
        format!("{hours}h {minutes}m")
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// `GET /admin/`
pub async fn dashboard_get(
    request: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    AdminUser(admin): AdminUser,
) -> Result<HttpResponse, AppError> {
    let totals = state.storage.site_totals().await?;
    let today = Utc::now().date_naive();
    let first = today - Duration::days(CHART_DAYS - 1);
    let since = first.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let per_day = state.storage.messages_per_day(since).await?;
    let chart = bars(first, &per_day);
    let last_30 = chart.iter().map(|b| b.count).sum::<u64>();
    let db_size = state.storage.database_size().await?.map(megabytes);
    let context = context! {
        totals => Value::from(minijinja::value::Serde(&totals)),
        online => state.hub.online_count(),
        bars => Value::from(minijinja::value::Serde(&chart)),
        last_30 => last_30,
        chart_width => CHART_WIDTH,
        chart_height => CHART_HEIGHT,
        first_day => first.format("%Y-%m-%d").to_string(),
        last_day => today.format("%Y-%m-%d").to_string(),
        db_size => db_size,
        version => env!("CARGO_PKG_VERSION"),
        uptime => uptime(state.started.elapsed()),
        ..admin_context(&session, &admin, "dashboard")?
    };
    state
        .templates
        .page(&request, "admin/dashboard.html", context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap_or_default()
    }

    #[test]
    fn bars_cover_thirty_days_and_the_tallest_fills_the_chart() {
        let first = day(1);
        let counts = [(day(3), 10), (day(30), 1)];
        let bars = bars(first, &counts);
        assert_eq!(bars.len(), 30);
        assert_eq!(bars[2].height, CHART_HEIGHT);
        assert_eq!(bars[2].y, 0);
        assert_eq!(bars[29].count, 1);
        assert!(bars[29].height >= 2, "a small day stays visible");
        assert_eq!(bars[0].height, 0);
    }

    #[test]
    fn uptime_reads_in_days_hours_minutes() {
        assert_eq!(uptime(std::time::Duration::from_secs(59)), "0h 0m");
        assert_eq!(uptime(std::time::Duration::from_secs(90_061)), "1d 1h 1m");
    }
}
